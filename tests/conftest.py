import io

import pytest
from django.core.management import call_command


def load_demo_content():
    out = io.StringIO()
    call_command("load_demo_content", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_content(db):
    """The site as `make run` sets it up: home page, settings, procedures and contact page."""
    load_demo_content()


@pytest.fixture
def home_page(demo_content):
    from home.models import HomePage

    return HomePage.objects.get()
