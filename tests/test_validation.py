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
    with pytest.raises(InvalidInput, match=r"WMID must be 12 digits, like 123456789012; got"):
        validation.wmid(bad)


def test_purse_is_a_letter_and_twelve_digits():
    assert validation.purse("z157156762925") == "Z157156762925"
    with pytest.raises(InvalidInput, match="one letter and 12 digits, like Z157156762925"):
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
