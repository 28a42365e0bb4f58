"""End to end over REST: the whole text of every bot turn for the answers issues 12 and
26 are about: the quote holds the answering sentence, a near-topic question is told the
policy does not say (with the closest clause and the contacts) or, further off, that it
is silent, a question the policy never touches is told it is silent, and a follow-up is
answered for what it asks."""

from __future__ import annotations

import pytest

from stack.rest_client import converse

pytestmark = pytest.mark.e2e

CONTACTS = (
    "For questions about the policy, email webmaster@jessops.com. For anything else, "
    "contact customer service at cs@jessops.com or call 0845 458 7005."
)
LOG_FILES = (
    '"Like most standard Web site servers we use log files. This includes internet protocol '
    "(IP) addresses, browser type, internet service provider (ISP), referring/exit pages, "
    "platform type, date/time stamp, and number of clicks to analyze trends, administer the "
    "site, track user's movement in the aggregate, and gather broad demographic information "
    'for aggregate use. IP addresses, etc. are not linked to personally identifiable information."'
)
LOG_FILES_QUOTE = (
    f"From our privacy policy (Information collection and use › Log Files):\n{LOG_FILES}"
)
OUR_COOKIES = "From our privacy policy (Information collection and use › Cookies › Our cookies):"
# The longest clauses are quoted whole too: the answer to a follow-up is often in the middle.
GOOGLE_ANALYTICS = (
    f'{OUR_COOKIES}\n"Google Analytics cookie (_utma, _utmb, _utmc, utmz cookies): These cookies '
    "enable the function of Google Analytics software. This software helps us collect and "
    "analyse visitor information such as browser usage, visitor numbers, response to "
    "marketing activity and shopping times. This information helps us to improve the website "
    "and your shopping experience, and to make our marketing campaigns relevant. The data "
    "stored by these cookies can only be seen by the relevant teams at Jessops and Google. "
    "User data is all anonymous. You can find out more about Google’s position on privacy as "
    "regards its analytics service at "
    'http://www.google.co.uk/intl/en/analytics/privacyoverview.html (opens in a new window)."'
)

COOKIES = (
    '"We use both session ID cookies and persistent cookies. For the session ID cookie, once '
    "users close the browser, the cookie simply terminates. A persistent cookie is a small text "
    "file stored on the user's hard drive for an extended period of time. Persistent cookies "
    "can be removed by following Internet browser help file directions. More information on "
    'cookies can be found here: http://www.allaboutcookies.org/ (opens a new window)."'
)
YOUR_ACCOUNT = (
    'From our privacy policy (Information collection and use › Your Account):\n"Creating '
    '"Your Account" is optional, and registration is not essential to make a purchase. '
    "Customers who choose to create an account are subject to the same Privacy Policy as "
    "non-account users. We may ask for additional information from users who sign up for an "
    "account, including an additional, alternate delivery address. We will not share this "
    "information with third parties, except for the purposes of fulfilling an order. We send "
    "update emails to our registered users from time to time, to keep them up to date with "
    "product launches, promotions and site news. Registered users can opt-out of these "
    "emails at the time of registration, or by replying to the original email with the word "
    '"unsubscribe" in the subject line, or by emailing webmaster@jessops.com."\n'
    "Would you like me to pass a request to customer service for you?"
)
SERVICE_ANNOUNCEMENTS = (
    "From our privacy policy (Communications from the site › Service Announcements):\n"
    '"On rare occasions it is necessary to send out a strictly service related announcement. '
    "For instance, if our service is temporarily suspended for maintenance we might send users "
    "an email. Generally, users may not opt-out of these communications, though they can "
    'deactivate their account. However, these communications are not promotional in nature."\n'
    "Would you like me to pass a request to customer service for you?"
)
ORDER = (
    "From our privacy policy (Information collection and use › Order):\n"
    '"We request information from the user on our order form. A user must provide '
    "contact information (such as name, email, and delivery address) and financial "
    "information (such as credit card number, expiry date). This information is used "
    "for billing purposes and to fulfill customer's orders. If we have trouble "
    'processing an order, the information is used to contact the user."'
)
SILENT = "Our privacy policy doesn't cover that, so I can't answer it from the policy. " + CONTACTS
SURVEYS = (
    '"From time-to-time our site requests information from users via surveys or '
    "contests. Participation in these surveys or contests is completely voluntary and "
    "the user therefore has a choice whether or not to disclose this information. The "
    "requested information typically includes contact information (such as name and "
    "shipping address), and demographic information (such as postcode). Contact "
    "information will be used and may be shared with the contest/survey sponsors to "
    "notify the winners and award prizes. Survey information will be used for purposes "
    'of monitoring or improving the use and satisfaction of this site."'
)
HELP = (
    "I can answer questions about the Jessops privacy policy, quoting the part that answers "
    "you: what we collect, cookies, marketing emails, who we share data with, security and "
    "more. I can also pass a request to correct, delete or deactivate your data, to send you "
    "a copy of it, or to stop marketing emails, to customer service."
)
OUT_OF_SCOPE = (
    "Our privacy policy doesn't cover that: I can only help with privacy questions. For "
    "anything else, please contact customer service at cs@jessops.com or 0845 458 7005."
)


@pytest.mark.parametrize(
    ("turns", "replies"),
    [
        pytest.param(
            ["Do you log my IP address?"],
            [LOG_FILES_QUOTE],
            id="quote-holds-the-answering-sentence",
        ),
        pytest.param(
            [
                "I got a 'site temporarily suspended for maintenance' email from you - "
                "what was that?",
                "can I turn those off?",
            ],
            [SERVICE_ANNOUNCEMENTS, SERVICE_ANNOUNCEMENTS],
            id="quoted-words-open-no-request",
        ),
        pytest.param(
            ["who gets to see the data from the _utma / _utmz cookies"],
            [GOOGLE_ANALYTICS],
            id="cookie-names-find-their-row",
        ),
        pytest.param(
            [
                "is webmaster@jessops.com the right place to send a privacy query "
                "or is there another one"
            ],
            [
                "From our privacy policy (Introduction):\n"
                '"If users have questions or concerns regarding this statement, they should '
                'contact the Jessops Web Site Department by email - webmaster@jessops.com."'
            ],
            id="the-webmaster-address-names-the-contact-clause",
        ),
        # The commonest questions say "data"; the policy says "information".
        pytest.param(
            ["what do you do with my data"],
            [ORDER],
            id="what-do-you-do-with-my-data",
        ),
        # A rejection that goes on to ask what was meant is answered for that question.
        pytest.param(
            ["do you use cookies", "nope. do you sell my info"],
            [
                "From our privacy policy (Information collection and use › Cookies):\n"
                '"The majority of websites - especially shopping sites - use cookies which are '
                "harmless to users computers. For example, cookies are used by jessops.com to "
                "remember items added to a users basket or that users have logged in to the "
                "website as a member. Usage of a cookie is in no way linked to any personally "
                "identifiable information while on our site. To order items on jessops.com, "
                "users need to have cookies enabled - please see the help section on managing "
                "and enabling cookies. If users do not have cookies enabled they will still be "
                "able to browse jessops.com and use it for research purposes. Most web browsers "
                'have cookies enabled as standard."',
                "From our privacy policy (Sharing › Third Party Intermediaries):\n"
                '"For the purpose of credit/debit card authorisation we will pass your name and '
                "address to our Bank. For the purpose of delivering your parcel we will pass your "
                "name and address to Parcelforce, or another of our parcel carriers. These "
                "companies do not retain, share, store or use personally identifiable information "
                'for any secondary purposes."',
            ],
            id="rejection-then-the-question-meant",
        ),
        # Short first messages (dev-basics4): what is held about me, and where it comes from.
        pytest.param(["what data do you collect about me"], [ORDER], id="what-is-collected"),
        pytest.param(
            ["do you get data about me from other companies"],
            [
                "From our privacy policy (Sharing › Supplementation of Information):\n"
                '"In order for this Web site to properly fulfill its obligation to users it is '
                "necessary for us to supplement the information we receive with information from "
                '3rd party sources."'
            ],
            id="data-from-other-companies",
        ),
        pytest.param(
            ["is my data safe"],
            [
                "From our privacy policy (Sharing › Security):\n"
                "\"This Web site takes every precaution to protect our users' information. When "
                "users submit sensitive information via the Web site, their information is "
                'protected both online and off-line."'
            ],
            id="is-my-data-safe",
        ),
        pytest.param(
            ["How long exactly does a persistent cookie stay on my hard drive - a month, a year?"],
            [
                "Our privacy policy doesn't say that. The closest it comes is this part "
                f"(Information collection and use › Cookies):\n{COOKIES}\n{CONTACTS}"
            ],
            id="exact-period-does-not-say",
        ),
        pytest.param(
            ["how often do account holders get those update emails from you?"],
            [YOUR_ACCOUNT],
            id="how-often-answered-by-from-time-to-time",
        ),
        pytest.param(
            ["Who are the sponsors of your surveys and competitions?"],
            [
                "Our privacy policy doesn't say that. The closest it comes is this part "
                f"(Sharing › Surveys & Contests):\n{SURVEYS}\n{CONTACTS}"
            ],
            id="near-topic-does-not-say",
        ),
        pytest.param(
            # Further from the clause's own words, the reader says no clause answers.
            ["How many months do you keep IP address logs for?"],
            [SILENT],
            id="near-topic-far-from-the-clause-is-silent",
        ),
        pytest.param(
            ["do you use my data to train AI"],
            [SILENT],
            id="silent",
        ),
        pytest.param(
            ["What does the Basket cookie do?", "and the ordering one?"],
            [
                f'{OUR_COOKIES}\n"Basket cookie (GuestUser cookie): This cookie is used to keep a '
                "history of items added into the shopping basket. Only used to enhance your "
                'shopping experiences."',
                f'{OUR_COOKIES}\n"Ordering cookie (OrderId cookie): This cookie is used to manage '
                'your shopping basket. The website would not work for you without it."',
            ],
            id="follow-up",
        ),
        pytest.param(
            [
                "Do you use Google Analytics on jessops.com?",
                "and who can see the data it collects?",
            ],
            [GOOGLE_ANALYTICS, GOOGLE_ANALYTICS],
            id="follow-up-on-a-long-clause",
        ),
        pytest.param(
            # Sounds like shopping (the classifier has called it out of scope), but the
            # policy answers it; so does the follow-up, read with it.
            [
                "Do I have to make an account to buy a camera?",
                "if I do make one, is my data treated any differently?",
            ],
            [YOUR_ACCOUNT, YOUR_ACCOUNT],
            id="shopping-words-answered-by-the-policy",
        ),
        pytest.param(["which lens is best for portraits"], [OUT_OF_SCOPE], id="out-of-scope"),
        pytest.param(
            # Asks how: answered from the policy, with the offer to pass the request on
            # (the NLU's training data says so; "stop sending me marketing emails" opens it).
            ["How do I stop marketing emails?"],
            [YOUR_ACCOUNT],
            id="how-to-stop-marketing-is-answered-with-the-offer",
        ),
        pytest.param(
            ["what is your privacy policy?"],
            [
                'From our privacy policy (Introduction):\n"This privacy statement covers the '
                "site www.jessops.com. As this Web sites wants to demonstrate its commitment "
                "to our users' privacy, it has agreed to disclose its information practices. "
                "1. What personally identifiable information Jessops collects. 2. What "
                "personally identifiable information third parties collect through the Web "
                "site. 3. What organization collects the information. 4. How Jessops uses the "
                "information. 5. With whom Jessops may share user information. 6. What choices "
                "are available to users regarding collection, use and distribution of the "
                "information. 7. What types of security procedures are in place to protect the "
                "loss, misuse or alteration of information under Jessops control. 8. How users "
                "can correct any inaccuracies in the information. 9. How users can contact us "
                'with questions regarding this privacy policy."'
            ],
            id="the-policy-itself-gets-its-overview",
        ),
        pytest.param(
            # Not a request for customer service: the policy says where it is made.
            ["unsubscribe me from the jessops photo emails"],
            [
                "From our privacy policy (Sharing › Choice/Opt-out):\n"
                '"User of the Jessops Photo may opt-out of email newsletters via the Jessops '
                'Photo website."'
            ],
            id="jessops-photo-opt-out-is-made-on-its-website",
        ),
        pytest.param(
            # Full-width and "fancy text" letters are read as plain ones (privacy/text.py).
            ["Ｄｏ ｙｏｕ ｌｏｇ ｍｙ ＩＰ ａｄｄｒｅｓｓ？", "𝗱𝗼 𝘆𝗼𝘂 𝗹𝗼𝗴 𝗺𝘆 𝗜𝗣 𝗮𝗱𝗱𝗿𝗲𝘀𝘀"],
            [LOG_FILES_QUOTE, LOG_FILES_QUOTE],
            id="odd-unicode-read-plainly",
        ),
        pytest.param(
            # The classifier takes it for a request for help; the policy answers it plainly.
            ["do you track me"],
            [LOG_FILES_QUOTE],
            id="sounds-like-help-answered-by-the-policy",
        ),
        pytest.param(
            # A second turn of three words that reads like a request for help on its own:
            # the NLU learns such turns as questions (dev7), the pipeline joins it.
            ["Do you use Google Analytics on jessops.com?", "whats it for then"],
            [GOOGLE_ANALYTICS, GOOGLE_ANALYTICS],
            id="a-short-second-turn-is-a-follow-up-not-help",
        ),
        pytest.param(
            # Not read as a follow-up to the question before it.
            ["Do you log my IP address?", "what can you do?"],
            [LOG_FILES_QUOTE, HELP],
            id="help-after-a-question",
        ),
    ],
)
def test_every_bot_turn_in_full(stack: object, turns: list[str], replies: list[str]) -> None:
    assert converse(stack.settings.rest_webhook, turns) == replies
