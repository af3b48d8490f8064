"""What static/js/captcha.js promises on the contact form, in a browser: a second press of
"Send message" while the first is on its way sends nothing more; coming back with the Back
button leaves a form that works and sends nothing by itself; and when a new picture cannot be
fetched, the person is told and keeps what they typed."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CONTACT = "/contact/"
MESSAGE = "Is there step-free access to the clinic?"
RECEIVED = "We have received your message"


def stored_messages():
    from forms.models import ContactSubmission

    return list(ContactSubmission.objects.values_list("form_data", flat=True))


def fill_in_the_contact_form(page, message=MESSAGE):
    """Everything a patient types, with the captcha's right answer (read from the database,
    as only the picture shows it)."""
    from captcha.models import CaptchaStore

    page.get_by_role("textbox", name=re.compile("^Name")).fill("Alex Patient")
    page.get_by_role("textbox", name=re.compile("^E-mail address")).fill("alex@example.com")
    page.get_by_role("textbox", name=re.compile("^Message")).fill(message)
    page.get_by_role("checkbox", name=re.compile("^My message contains no medical")).check()
    key = page.locator("[data-captcha] input[type=hidden]").input_value()
    answer = CaptchaStore.objects.get(hashkey=key).response
    page.get_by_role("textbox", name=re.compile("^Type the characters")).fill(answer)


def contact_posts(page):
    """The POSTs the page sends to the contact form, as a list that fills as they go."""
    posts = []
    page.on(
        "request",
        lambda request: (
            request.method == "POST" and request.url.endswith(CONTACT) and posts.append(request.url)
        ),
    )
    return posts


def test_a_second_press_while_sending_sends_nothing_more(site, page):
    posts = contact_posts(page)
    held = []
    # The message is held on its way, so that the second press surely comes while it is sent.
    page.route(
        re.compile(re.escape(site + CONTACT) + "$"),
        lambda route: held.append(route) if route.request.method == "POST" else route.fallback(),
    )
    page.goto(site + CONTACT)
    fill_in_the_contact_form(page)
    send = page.get_by_role("button", name="Send message")
    send.scroll_into_view_if_needed()
    box = send.bounding_box()
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    with page.expect_request(lambda request: request.method == "POST"):
        page.mouse.click(*middle)
    # The mouse itself, as Playwright's locators would wait for the held message's page.
    page.mouse.click(*middle)
    for route in held:
        route.continue_()
    page.unroute(re.compile(re.escape(site + CONTACT) + "$"))

    expect(page.get_by_role("main")).to_contain_text(RECEIVED)
    assert len(posts) == 1, posts
    assert [data["message"] for data in stored_messages()] == [MESSAGE]


def test_back_after_sending_gives_a_form_that_works_and_sends_nothing_by_itself(site, page):
    posts = contact_posts(page)
    page.goto(site + CONTACT)
    fill_in_the_contact_form(page)
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("main")).to_contain_text(RECEIVED)

    page.go_back()
    expect(page.get_by_role("button", name="Send message")).to_be_enabled()
    expect(page.locator("form.contact-form")).not_to_have_attribute("data-sending", "")
    expect(page.get_by_role("main")).not_to_contain_text(RECEIVED)
    assert len(posts) == 1, "going back sent the message again"
    assert len(stored_messages()) == 1

    # The form sends a second message as it sent the first.
    fill_in_the_contact_form(page, message="And is there parking nearby?")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("main")).to_contain_text(RECEIVED)
    assert len(posts) == 2
    assert [data["message"] for data in stored_messages()] == [
        MESSAGE,
        "And is there parking nearby?",
    ]


def test_a_failed_new_picture_says_so_and_keeps_what_was_typed(site, page, browser_guard):
    # The captcha service answers with an error (the browser reports that failed request).
    browser_guard.route(
        page,
        re.escape(site) + r"/captcha/refresh/",
        lambda route: route.fulfill(status=503, body="Service unavailable"),
    )
    page.goto(site + CONTACT)
    name = page.get_by_role("textbox", name=re.compile("^Name"))
    message = page.get_by_role("textbox", name=re.compile("^Message"))
    name.fill("Alex Patient")
    message.fill(MESSAGE)
    old_picture = page.locator("[data-captcha] img").get_attribute("src")

    page.get_by_role("button", name="Get a new picture").click()

    expect(page.get_by_role("status").filter(has_text="new picture")).to_have_text(
        "Here is a new picture. Your message has not been sent yet."
    )
    expect(page.locator("[data-captcha] img")).not_to_have_attribute("src", old_picture)
    expect(name).to_have_value("Alex Patient")
    expect(message).to_have_value(MESSAGE)
    expect(page.locator("[data-error-summary]")).to_have_count(0)
    assert stored_messages() == []
