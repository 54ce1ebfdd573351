"""Mails: plain-text parts and subjects are not HTML-escaped; the HTML part is."""

from django.contrib.auth import get_user_model

from secure_shopadmin.core import mail


def test_text_parts_are_not_html_escaped_and_the_html_part_is(settings):
    settings.SECURE_SHOPADMIN = {**settings.SECURE_SHOPADMIN, "SHOP_NAME": "Tom & Jerry's"}
    user = get_user_model()(username="o'brien<x>")
    subject, text, html = mail.render_mail("reset_link", {"user": user, "link": "https://s.example/?a=1&b=2"}, "en")
    assert subject == "[Tom & Jerry's] Please choose a new password"
    assert "Hello o'brien<x>," in text and "https://s.example/?a=1&b=2" in text
    assert "This is a security notice from Tom & Jerry's." in text
    assert "Tom &amp; Jerry&#x27;s" in html and "o&#x27;brien&lt;x&gt;" in html
    assert "&amp;" not in subject + text
