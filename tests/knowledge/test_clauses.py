"""The policy is split into the clauses a customer would want quoted."""

from __future__ import annotations

from knowledge.clauses import PATH_SEPARATOR, is_table_of_contents, load_policy, parse_policy
from knowledge.sentences import split_sentences
from settings import KnowledgeSettings

POLICY = load_policy(KnowledgeSettings.from_env().policy_path)
BY_ID = {c.id: c for c in POLICY.clauses}


def test_archive_notice_is_provenance_not_a_clause() -> None:
    assert POLICY.archived_on == "2012-09-19"
    assert not any("Wayback" in c.text or "archived" in c.text for c in POLICY.clauses)


def test_navigation_noise_is_dropped() -> None:
    assert not any("Back to top" in c.text for c in POLICY.clauses)
    assert not any(c.text.startswith("More details of this") for c in POLICY.clauses)


def test_ids_are_unique() -> None:
    assert len(BY_ID) == len(POLICY.clauses)


def test_heading_path_nests_cookie_subsections_under_cookies() -> None:
    sep = PATH_SEPARATOR
    assert BY_ID["our-cookies-1"].section == sep.join(
        ["Information collection and use", "Cookies", "Our cookies"]
    )
    # "Log Files" follows the cookie subsections but is not about cookies.
    assert BY_ID["log-files-1"].section == f"Information collection and use{sep}Log Files"
    assert BY_ID["security-2"].section == f"Sharing{sep}Security"


def test_each_cookie_table_row_is_one_clause_with_names_and_purpose() -> None:
    rows = [c for c in POLICY.clauses if c.keywords]
    assert len(rows) == 10  # 7 rows in "Our cookies", 3 in "Third party cookies"
    analytics = BY_ID["our-cookies-google-analytics-cookie"]
    assert analytics.text.startswith("Google Analytics cookie (_utma, _utmb, _utmc, utmz cookies):")
    assert "User data is all anonymous." in analytics.text  # the cell's later paragraph
    coremetrics = BY_ID["our-cookies-ibm-coremetrics-analytics-cookie"]
    assert "personalised product recommendations" in coremetrics.text
    assert BY_ID["third-party-cookies-td-affiliate-cookies"].text.startswith(
        "TD, Affiliate cookies:"
    )


def test_paragraph_after_a_table_is_not_swallowed_by_the_last_row() -> None:
    td_row = BY_ID["third-party-cookies-td-affiliate-cookies"]
    assert "Network Advertising Initiative" not in td_row.text
    assert BY_ID["third-party-cookies-2"].text.startswith("If you'd like to opt out of cookies")


def test_markdown_is_reduced_to_the_words_shown_on_the_page() -> None:
    intro = BY_ID["introduction-3"].text
    assert "webmaster@jessops.com" in intro and "mailto:" not in intro and "[" not in intro
    assert "**" not in " ".join(c.text for c in POLICY.clauses)


def test_ids_survive_a_rebuild_and_an_edit_elsewhere() -> None:
    text = KnowledgeSettings.from_env().policy_path.read_text()
    again = parse_policy(text)
    assert [c.id for c in again.clauses] == [c.id for c in POLICY.clauses]
    edited = parse_policy(text.replace("_Log Files_", "_Log Files_  \nA new first paragraph.\n"))
    edited_ids = {c.id: c.text for c in edited.clauses}
    assert edited_ids["security-2"] == BY_ID["security-2"].text
    assert edited_ids["our-cookies-reevoo-cookie"] == BY_ID["our-cookies-reevoo-cookie"].text


def test_a_small_document_with_a_table() -> None:
    doc = (
        "## Section\n\n_Sub_  \nFirst para.\n\n**Cookie name** | **Cookie purpose**  \n---|---  \n"
        "**Label**  \n(a, b cookies)  |  Does x.\n\nMore on x.   \n  \n"
        "c cookie  |  Does y.   \n  \nAfter the table.\n"
    )
    clauses = parse_policy(doc).clauses
    assert [c.id for c in clauses] == ["sub-1", "sub-label", "sub-c-cookie", "sub-2"]
    assert clauses[1].text == "Label (a, b cookies): Does x. More on x."
    assert clauses[3].text == "After the table."


def test_the_table_of_contents_is_not_a_clause_of_its_own() -> None:
    """The numbered list of what the statement covers is folded into the paragraph that
    introduces it; its old id points there, and the ids after it are unchanged."""
    assert "introduction-2" not in BY_ID
    intro = BY_ID["introduction-1"]
    assert intro.folded == ("introduction-2",)
    assert "9. How users can contact us with questions" in intro.text
    assert BY_ID["introduction-3"].text.startswith("If users have questions or concerns")
    assert BY_ID["introduction-4"].text.startswith("If they do not receive acknowledgment")
    assert not any(c.text[:3].rstrip(".").isdigit() for c in POLICY.clauses)


def test_the_folded_table_of_contents_is_told_from_the_policys_sentences() -> None:
    # Word-by-word matching leaves it out: it names every topic and answers none.
    sentences = split_sentences(BY_ID["introduction-1"].text)
    contents = [s for s in sentences if is_table_of_contents(s)]
    assert len(contents) == 1 and contents[0].startswith("1. What personally identifiable")
    others = [c for c in POLICY.clauses if c.id != "introduction-1"]
    assert not any(is_table_of_contents(s) for c in others for s in split_sentences(c.text))


def test_a_table_introduction_is_quoted_with_the_rows_it_introduces() -> None:
    intro = BY_ID["our-cookies-4"].text
    assert intro.startswith("This is a list of the main cookies we use")
    assert "Reevoo cookie (reevoo_utmb" in intro and "Basket cookie (GuestUser cookie)" in intro
    # The substantive clauses around it keep their ids and words.
    assert BY_ID["our-cookies-3"].text.startswith("Please be aware")
    assert BY_ID["our-cookies-reevoo-cookie"].text.startswith("Reevoo cookie")
