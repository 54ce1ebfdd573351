"""The campaign mail: rendered once per language and kind of reader, each reader's own link and name,
escaped in the HTML part only, and no other field of the user reaching a (possibly overridden) template."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test.signals import template_rendered
from django.utils import timezone

from secure_shopadmin.campaigns import mailing

User = get_user_model()


@pytest.fixture
def renders():
    names = []

    def note(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(note)
    yield names
    template_rendered.disconnect(note)


def renderer(campaign):
    return mailing.Renderer(campaign, timezone.now() + timedelta(days=3))


def test_each_reader_gets_their_own_link_and_name_from_a_few_renderings(campaign, renders, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SHOP_NAME": "Tom & Jerry"}
    campaign.mail_body_en = "Hi {username} of {shop_name}: {link}"
    members = [User(username=f"o'brien<{i}>", email=f"m{i}@members.example") for i in range(40)]
    staff = User(username="clerk", email="clerk@shop.example", is_staff=True)
    render = renderer(campaign)
    mails = [render.render(user, f"https://shop.example/r/{i}?a=1&b=2") for i, user in enumerate(members)]
    mails.append(render.render(staff, "https://shop.example/r/staff", needs_enrolment=True))

    top_level = [name for name in renders if name.endswith(("link.html", "link.txt", "link_subject.txt"))]
    assert len(top_level) == 2 * 3  # members, then staff who must enrol: subject, text and HTML once each
    for i, (subject, text, html) in enumerate(mails[:-1]):
        assert subject == "[Tom & Jerry] Your password has been switched off: please choose a new one"
        assert f"Hi o'brien<{i}> of Tom & Jerry: https://shop.example/r/{i}?a=1&b=2" in text
        assert f"Hi o&#x27;brien&lt;{i}&gt; of Tom &amp; Jerry:" in html
        assert f'<a href="https://shop.example/r/{i}?a=1&amp;b=2">' in html
        assert "\ue000" not in text + html + subject and "authenticator" not in text
    assert "set up an authenticator app" in mails[-1][1]


def test_japanese_readers_get_the_japanese_texts(campaign, renders, settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "USER_LANGUAGE": "tests.campaigns.test_mailing.by_name"}
    render = renderer(campaign)
    ja = render.render(User(username="ja-hanako", email="h@members.example"), "https://shop.example/r/1")
    en = render.render(User(username="en-alice", email="a@members.example"), "https://shop.example/r/2")
    assert "パスワード" in ja[0] and "ja-hanako" in ja[1] and "https://shop.example/r/1" in ja[1]
    assert "password" in en[0] and "en-alice" in en[1]


def by_name(user):
    return user.get_username().split("-")[0]


def test_an_overridden_template_sees_no_other_field_of_the_reader(campaign, tmp_path, settings):
    (tmp_path / "secure_shopadmin" / "mail").mkdir(parents=True)
    (tmp_path / "secure_shopadmin" / "mail" / "campaign_reset_link.txt").write_text(
        "[{{ user.email }}][{{ user.first_name }}][{{ user.username }}][{{ user.is_staff }}] {{ link }}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    first = User(username="alice", email="alice@members.example", first_name="Alice")
    second = User(username="bob", email="bob@members.example", first_name="Bob")
    render = renderer(campaign)
    render.render(first, "https://shop.example/r/1")
    text = render.render(second, "https://shop.example/r/2")[1]
    assert text == "[][][bob][False] https://shop.example/r/2"


def test_the_message_goes_to_the_reader_only(campaign):
    user = User(username="alice", email="alice@members.example")
    message = renderer(campaign).message(user, "https://shop.example/r/1")
    assert message.to == ["alice@members.example"]
    assert message.alternatives[0][1] == "text/html"
