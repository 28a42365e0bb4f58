"""The answer path, one stage a module, called in order by ``pipeline``:

text (the question as searched) -> candidates (clauses ranked by the fine-tuned question
encoder) -> reader (the trained head: which clause answers, or none) -> answerability
(answer / the policy does not say exactly / silent, at thresholds chosen on development
sets) -> quotes (the clause's words the customer is shown).
"""
