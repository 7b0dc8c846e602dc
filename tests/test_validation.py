"""Refusals name the field, what it takes and what was given."""

import pytest

from console.errors import InvalidInput
from console.rules import validation
from console.settings import load_settings
from models import Service


@pytest.mark.parametrize("good", ["123456789012", " 000000000001 "])
def test_wmid_accepts_twelve_digits(good):
    assert validation.wmid(good) == good.strip()


@pytest.mark.parametrize("bad", ["abc", "12345678901", "1234567890123", "12345678901a", ""])
def test_wmid_refusal_says_what_a_wmid_looks_like(bad):
    with pytest.raises(InvalidInput, match=r"a WMID is 12 digits 0-9, like 123456789012; got"):
        validation.wmid(bad)


@pytest.mark.parametrize(
    "other_digits",
    ["３０５１２３４５６７８９", "٣٠٥١٢٣٤٥٦٧٨٩", "۳۰۵۱۲۳۴۵۶۷۸۹", "३०५१२३४५६७८९", "30512345678９"],
)
def test_a_wmid_and_a_purse_take_ascii_digits_only(other_digits):
    """Python's \\d is every script's digits: full-width and Arabic-Indic ones
    were stored as WMIDs and blocks requested for them."""
    with pytest.raises(InvalidInput, match="a WMID is 12 digits 0-9"):
        validation.wmid(other_digits)
    with pytest.raises(InvalidInput, match="one letter A-Z and 12 digits 0-9"):
        validation.purse("Z" + other_digits)


def test_a_purse_letter_is_ascii_before_it_is_upper_cased():
    # "ı".upper() is "I": a purse letter made of a Turkish dotless i.
    with pytest.raises(InvalidInput, match="one letter A-Z"):
        validation.purse("ı157156762925")


def test_text_without_nul_and_valid_utf8_is_the_rule_on_every_backend():
    assert validation.body("Здравствуйте\tx", "reply") == "Здравствуйте\tx"
    with pytest.raises(InvalidInput, match="the reply's text has a NUL byte at character 1,204"):
        validation.body("a" * 1203 + "\x00", "reply")
    undecodable = b"ok \xff".decode("utf-8", "surrogateescape")
    with pytest.raises(
        InvalidInput, match=r"the subject is not valid UTF-8 at character 4 \(the byte 0xFF\)"
    ):
        validation.subject(undecodable)
    with pytest.raises(InvalidInput, match="the customer's name has a NUL byte at character 2"):
        validation.customer_name("I\x00van")


def test_names_and_subjects_keep_controls_as_the_placeholders_the_intake_stores():
    assert validation.customer_name("Iv\x1b]52;c;AAAA\x07an") == "Iv⟨U+001B⟩]52;c;AAAA⟨U+0007⟩an"
    assert validation.subject("Help\u202egnp.exe") == "Help⟨U+202E⟩gnp.exe"
    assert validation.subject("two\r\nlines") == "two lines"


def test_a_search_has_a_limit_with_its_own_message():
    assert validation.search("парол 100%") == "парол 100%"
    with pytest.raises(InvalidInput, match=r"a search takes at most 50 words .* has 1,500 words"):
        validation.search(" ".join(f"w{i}" for i in range(1500)))
    with pytest.raises(InvalidInput, match="at most 50 words and 1,000 characters"):
        validation.search("x" * 1001)


def test_purse_is_a_letter_and_twelve_digits():
    assert validation.purse("z157156762925") == "Z157156762925"
    with pytest.raises(InvalidInput, match="one letter A-Z and 12 digits 0-9, like Z157156762925"):
        validation.purse("ZZ57156762925")


@pytest.mark.parametrize("bad", ["plain", "a@b", "a b@c.com", "<a@b.com>", "a@@b.com"])
def test_email_refusals(bad):
    with pytest.raises(InvalidInput, match=r"e-mail must look like name@example\.com"):
        validation.email(bad)


def test_email_domain_is_lower_cased_and_the_mailbox_kept():
    assert validation.email("Ivan.Petrov@Mail.RU") == "Ivan.Petrov@mail.ru"


def test_long_values_are_shown_shortened_in_refusals():
    with pytest.raises(InvalidInput) as refused:
        validation.wmid("9" * 200)
    assert len(str(refused.value)) < 120


def test_a_customer_name_is_one_line_of_at_most_200_characters():
    assert validation.customer_name("  Иван\r\n  Петров ") == "Иван Петров"
    assert validation.customer_name(" \n ") is None
    assert validation.customer_name("я" * 200) == "я" * 200
    with pytest.raises(InvalidInput, match="name is 201 characters; at most 200"):
        validation.customer_name("я" * 201)


def test_service_and_status_list_what_exists():
    assert validation.service(" Keeper ") == Service.keeper
    with pytest.raises(InvalidInput, match="one of keeper, enum"):
        validation.service("wallet")


def test_settings_come_from_a_file_and_the_environment(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        'db = "/tmp/x.db"\n[sla]\nfirst_answer_hours = 2\n[hours]\nweekend = "09:00-13:00"\n'
    )
    settings = load_settings({"WMCONSOLE_CONFIG": str(config), "WMCONSOLE_SLA_FRAUD_MINUTES": "30"})
    assert settings.db == "/tmp/x.db"
    assert settings.sla.first_answer.total_seconds() == 7200
    assert settings.sla.hours.weekend_open.hour == 9
    assert settings.sla_fraud_minutes == 30.0


def test_settings_refuse_unknown_keys_and_bad_values(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[sla]\nfirst_anwser_hours = 2\n")
    with pytest.raises(InvalidInput, match="unknown settings sla_first_anwser_hours"):
        load_settings({"WMCONSOLE_CONFIG": str(config)})
    with pytest.raises(InvalidInput, match="must be a float"):
        load_settings(
            {"WMCONSOLE_CONFIG": str(tmp_path / "none.toml"), "WMCONSOLE_SLA_FRAUD_MINUTES": "soon"}
        )
    settings = load_settings(
        {"WMCONSOLE_CONFIG": str(tmp_path / "none.toml"), "WMCONSOLE_HOURS_WEEKDAY": "all day"}
    )
    with pytest.raises(InvalidInput, match="07:00-18:00"):
        assert settings.sla
