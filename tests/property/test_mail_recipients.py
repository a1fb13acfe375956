"""Whatever a requester field holds, the bridge mails one address or none."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bridge.domain.contacts import single_address

LOCAL = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}", fullmatch=True).filter(
    lambda s: ".." not in s and not s.endswith(".")
)
DOMAIN = st.from_regex(r"[a-z0-9]{1,10}\.(example|com|co\.uk)", fullmatch=True)
ADDRESS = st.builds(lambda local, domain: f"{local}@{domain}", LOCAL, DOMAIN)


@given(st.text())
def test_whatever_the_text_at_most_one_plain_address_comes_out(raw: str) -> None:
    found = single_address(raw)
    if found is not None:
        assert found.count("@") >= 1
        assert not any(c in found for c in "\r\n,;<>") or found.startswith('"')
        assert found == found.casefold()


@given(ADDRESS, st.sampled_from(["", "Ops", '"Ops, Team"']))
def test_one_address_in_any_usual_form_reads_as_itself(address: str, name: str) -> None:
    raw = f"{name} <{address.upper()}>" if name else address
    assert single_address(raw) == address.casefold()


@given(st.lists(ADDRESS, min_size=2, max_size=4), st.sampled_from([", ", ",", "\r\n", "\n"]))
def test_two_or_more_addresses_are_never_a_recipient(addresses: list[str], joiner: str) -> None:
    assert single_address(joiner.join(addresses)) is None
