"""Every state of every public page, fetched with Django's test client: what the HTML
checker and the SEO tests look at."""

from bs4 import BeautifulSoup
from captcha.models import CaptchaStore

CONTACT = "/contact/"


def contact_form_data(client):
    """A complete contact message, with the right answer to the captcha the page showed."""
    soup = BeautifulSoup(client.get(CONTACT).content, "html.parser")
    key = soup.find("input", attrs={"name": "captcha_0"})["value"]
    return {
        "name": "Alex Patient",
        "email": "alex@example.org",
        "message": "Are you open on Saturdays?",
        "no_medical_details": "on",
        "captcha_0": key,
        "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
    }


PUBLIC_STATES = {
    "home": lambda client: client.get("/"),
    "index": lambda client: client.get("/procedures/"),
    "index filtered": lambda client: client.get("/procedures/", {"area": "knee"}),
    "procedure": lambda client: client.get("/procedures/prolotherapy/"),
    "clinicians": lambda client: client.get("/clinicians/"),
    "clinician": lambda client: client.get("/clinicians/example-clinician/"),
    "search": lambda client: client.get("/search/"),
    "search results": lambda client: client.get("/search/", {"q": "knee"}),
    "nothing found": lambda client: client.get("/search/", {"q": "zebra"}),
    "contact empty": lambda client: client.get(CONTACT),
    "contact with errors": lambda client: client.post(CONTACT, {}),
    "thank-you": lambda client: client.post(CONTACT, contact_form_data(client)),
    "page not found": lambda client: client.get("/no-such-page/"),
}
