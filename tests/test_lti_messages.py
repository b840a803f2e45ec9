"""The pure LTI 1.3 checks (champion/lti/messages.py) claim by claim, and the platform key
cache; the whole flow against a real platform is in test_lti.py."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from champion.lti import keys, messages
from champion.lti.messages import DL, LTI, LaunchError, Registration, check_launch

NOW = int(time.time())
REGISTRATION = Registration("https://lms.example.org", "tool-1", ("dep-1",))


def new_key() -> RSAKey:
    key = RSAKey.generate_key(2048, private=True)
    key.ensure_kid()
    return key


KEY = new_key()


def claims(**changes) -> dict:
    base = {"iss": "https://lms.example.org", "sub": "u-1", "aud": "tool-1", "exp": NOW + 300,
            "iat": NOW, "nonce": "n-1", LTI + "deployment_id": "dep-1",
            LTI + "version": "1.3.0", LTI + "message_type": messages.RESOURCE_LINK,
            LTI + "resource_link": {"id": "rl-1"}, LTI + "roles": [], "email": "a@b.org"}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def check(token_claims: dict, key: RSAKey = KEY, nonce: str = "n-1"):
    return check_launch(messages.sign(token_claims, key), REGISTRATION, nonce,
                        lambda kid: KeySet([KEY]), now=NOW)


def test_a_good_launch_is_read():
    launch = check(claims(**{
        LTI + "custom": {"module": "basics/first-steps"},
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
            "lineitem": "https://lms.example.org/li/1", "scope": [messages.AGS_SCORE_SCOPE]},
        LTI + "roles": [messages.LIS + "membership#Instructor"]}))
    assert launch.custom == {"module": "basics/first-steps"} and launch.can_post_scores
    assert launch.lineitem_url == "https://lms.example.org/li/1" and launch.is_instructor


@pytest.mark.parametrize(("changes", "message"), [
    ({"aud": "another-tool"}, "addressed to another tool"),
    ({"aud": ["tool-1", "other"]}, "another authorized party"),
    ({"aud": ["tool-1", "other"], "azp": "other"}, "another authorized party"),
    ({"azp": "other"}, "another authorized party"),
    ({"iat": NOW - 7200, "exp": NOW + 60}, "issued too long ago"),
    ({"iat": NOW + 600}, "iat"),
    ({LTI + "version": "1.1"}, "only LTI version 1.3.0"),
    ({LTI + "message_type": "LtiSubmissionReviewRequest"}, "message type"),
    ({LTI + "resource_link": None}, "no resource link id"),
    ({LTI + "message_type": messages.DEEP_LINKING, DL + "deep_linking_settings": {}},
     "no return URL"),
    ({"sub": None}, "sub"),
    ({"nonce": None}, "nonce"),
])
def test_each_claim_is_checked(changes, message):
    with pytest.raises(LaunchError, match=message):
        check(claims(**changes))


def test_only_rs256_is_accepted():
    token = jwt.encode({"alg": "HS256"}, claims(), OctKey.import_key(b"s" * 32))
    with pytest.raises(LaunchError, match="could not be verified"):
        check_launch(token, REGISTRATION, "n-1", lambda kid: KeySet([KEY]), now=NOW)


def test_garbage_is_not_a_token():
    with pytest.raises(LaunchError, match="not a JSON Web Token"):
        check_launch("not.a.token", REGISTRATION, "n-1", lambda kid: KeySet([KEY]), now=NOW)


def test_the_key_cache_refetches_for_an_unknown_kid_but_not_in_a_flood(monkeypatch):
    old, rotated = new_key(), new_key()
    published = [KeySet([old])]
    fetched = []

    def fetch(url):
        fetched.append(url)
        return published[0]

    monkeypatch.setattr(keys, "fetch_key_set", fetch)
    cache = keys.PlatformKeyCache()
    assert cache.key_set("https://lms/jwks", old.kid).keys[0].kid == old.kid
    assert cache.key_set("https://lms/jwks", old.kid) and len(fetched) == 1  # cached
    published[0] = KeySet([rotated])  # the platform rotates its key
    assert cache.key_set("https://lms/jwks", rotated.kid).keys[0].kid == old.kid  # just read
    assert len(fetched) == 1  # an unknown kid within seconds of a read: no new fetch
    later = time.monotonic() + 30
    monkeypatch.setattr(keys.time, "monotonic", lambda: later)
    assert cache.key_set("https://lms/jwks", rotated.kid).keys[0].kid == rotated.kid
    assert len(fetched) == 2


def test_an_unreadable_key_set_is_a_refusal_that_names_it():
    with pytest.raises(keys.PlatformKeysError, match=r"http://127\.0\.0\.1:9/jwks"):
        keys.fetch_key_set("http://127.0.0.1:9/jwks")
