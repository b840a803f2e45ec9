"""Open Badges 2.0 documents, baked downloads, signed OB 3.0 credentials, revocation,
certificates with their evaluation, and expiry with recertification."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import timedelta

import jwt
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from champion.audit.models import AuditEvent
from champion.badges.baking import bake_png, bake_svg, unbake_png, unbake_svg
from champion.badges.credentials import verify
from champion.badges.models import Badge, BadgeAward, ProgrammeEvaluation
from champion.database import utcnow
from champion.extensions import db
from tests.helpers import complete_module, csrf_token, login

BASE = "https://champion.test"
OB2_ASSERTION_FIELDS = {"@context", "type", "id", "recipient", "badge", "verification",
                        "issuedOn"}


def earn(user) -> BadgeAward:
    for slug in ("first-steps", "second-steps", "reading"):
        complete_module(user, "basics", slug)
    return db.session.scalar(select(BadgeAward).where(BadgeAward.user_id == user.id))


@pytest.fixture
def award(synced, learner):
    return earn(learner)


def test_issuer_badge_class_and_assertion_are_open_badges_2(client, award, learner):
    issuer = client.get("/issuer.json")
    assert issuer.mimetype == "application/ld+json"
    assert issuer.json == {
        "@context": "https://w3id.org/openbadges/v2", "type": "Issuer",
        "id": f"{BASE}/issuer.json", "name": "Champion Palliative Care Programme (demo issuer)",
        "url": "https://champion.example.org", "email": "badges@champion.example.org"}
    badge = client.get("/badges/basics-graduate.json").json
    assert badge["type"] == "BadgeClass" and badge["id"] == f"{BASE}/badges/basics-graduate.json"
    assert badge["image"] == f"{BASE}/badges/basics-graduate/image.png"
    assert badge["criteria"] == {"id": f"{BASE}/badges/basics-graduate",
                                 "narrative": "Complete every required module of the basics "
                                              "series."}
    assert badge["issuer"] == f"{BASE}/issuer.json"
    document = client.get(f"/badges/assertions/{award.uid}.json")
    assert document.mimetype == "application/ld+json"
    body = document.json
    assert set(body) >= OB2_ASSERTION_FIELDS
    assert body["id"] == f"{BASE}/badges/assertions/{award.uid}.json"
    assert body["badge"] == badge["id"] and body["verification"] == {"type": "hosted"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["issuedOn"])
    recipient = body["recipient"]
    expected = hashlib.sha256((learner.email + award.salt).encode()).hexdigest()
    assert recipient == {"type": "email", "hashed": True, "salt": award.salt,
                         "identity": f"sha256${expected}"}
    assert learner.email not in document.get_data(as_text=True)
    png = client.get("/badges/basics-graduate/image.png")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")


def test_revocation_by_an_admin_answers_410_and_says_so(app, client, award, admin):
    admin_client = app.test_client()
    login(admin_client, admin)
    page = admin_client.get(f"/admin/people/{award.user_id}").get_data(as_text=True)
    assert "Revoke Basics Graduate" in page
    token = csrf_token(admin_client, f"/admin/people/{award.user_id}")
    empty = admin_client.post(f"/admin/awards/{award.uid}/revoke",
                              data={"csrf_token": token, "reason": ""})
    assert empty.status_code == 422 and "Give a reason" in empty.get_data(as_text=True)
    unconfirmed = admin_client.post(f"/admin/awards/{award.uid}/revoke", data={
        "csrf_token": token, "reason": "Completed under another account."})
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm" in unconfirmed.get_data(as_text=True)
    assert client.get(f"/badges/assertions/{award.uid}.json").status_code == 200
    admin_client.post(f"/admin/awards/{award.uid}/revoke",
                      data={"csrf_token": token, "reason": "Completed under another account.",
                            "confirm": "y"})
    response = client.get(f"/badges/assertions/{award.uid}.json")
    assert response.status_code == 410
    assert response.json["revoked"] is True
    assert response.json["revocationReason"] == "Completed under another account."
    page = client.get(f"/badges/assertions/{award.uid}").get_data(as_text=True)
    assert "This badge has been revoked" in page and "Completed under another account." in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "award.revoke"))
    assert event.actor_id == admin.id


def test_baked_downloads_carry_the_assertion(app, award, learner):
    client = app.test_client()
    login(client, learner)
    me = client.get("/me").get_data(as_text=True)
    for url in ("badge.png", "badge.svg", "credential.jwt", "certificate"):
        assert f"/me/badges/{award.uid}/{url}" in me
    live = client.get(f"/badges/assertions/{award.uid}.json").json
    png = client.get(f"/me/badges/{award.uid}/badge.png")
    assert png.mimetype == "image/png"
    assert json.loads(unbake_png(png.data)) == live
    svg = client.get(f"/me/badges/{award.uid}/badge.svg")
    assert json.loads(unbake_svg(svg.get_data(as_text=True))) == live
    stranger = app.test_client()
    assert stranger.get(f"/me/badges/{award.uid}/badge.png").status_code == 302


def test_downloads_are_the_earners_alone(app, award, admin):
    other = app.test_client()
    login(other, admin)
    for url in ("badge.png", "badge.svg", "credential.jwt", "certificate", "certificate.pdf"):
        assert other.get(f"/me/badges/{award.uid}/{url}").status_code == 404, url


def test_the_signed_credential_verifies_offline_and_tampering_fails(app, client, award,
                                                                    learner):
    owner = app.test_client()
    login(owner, learner)
    token = owner.get(f"/me/badges/{award.uid}/credential.jwt").get_data(as_text=True)
    keys = client.get("/issuer/jwks.json").json["keys"]
    result = verify(token, keys)
    assert result.valid, result.errors
    vc = result.credential
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "OpenBadgeCredential" in vc["type"]
    assert vc["issuer"]["id"] == f"{BASE}/issuer.json" and vc["iss"] == vc["issuer"]["id"]
    assert vc["id"] == vc["jti"] and vc["id"].startswith("urn:uuid:")
    subject = vc["credentialSubject"]
    assert subject["achievement"]["name"] == "Basics Graduate"
    assert subject["identifier"][0]["identityHash"].startswith("sha256$")
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["jwk"]["crv"] == "Ed25519"

    head, payload, signature = token.split(".")
    forged = json.loads(jwt.utils.base64url_decode(payload))
    forged["name"] = "Something Else"
    forged_payload = jwt.utils.base64url_encode(json.dumps(forged).encode()).decode()
    assert not verify(f"{head}.{forged_payload}.{signature}", keys).valid
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from champion.badges.credentials import public_jwk, sign
    stranger_key = Ed25519PrivateKey.generate()
    impostor = sign(vc, stranger_key)
    assert verify(impostor, keys).errors == ["signed with a key this issuer does not publish"]
    assert verify(impostor, [public_jwk(stranger_key)]).valid  # only the trusted keys matter


def test_champion_badges_verify(app, runner, award, learner, tmp_path, client):
    owner = app.test_client()
    login(owner, learner)
    credential = tmp_path / "badge.jwt"
    credential.write_bytes(owner.get(f"/me/badges/{award.uid}/credential.jwt").data)
    jwks = tmp_path / "jwks.json"
    jwks.write_bytes(client.get("/issuer/jwks.json").data)
    result = runner.invoke(args=["badges", "verify", str(credential), "--jwks", str(jwks)])
    assert result.exit_code == 0, result.output
    assert "valid: signed Open Badges 3.0 credential for Basics Graduate" in result.output
    assert "not revoked" in result.output
    baked = tmp_path / "badge.png"
    baked.write_bytes(owner.get(f"/me/badges/{award.uid}/badge.png").data)
    result = runner.invoke(args=["badges", "verify", str(baked)])
    assert result.exit_code == 0 and "Open Badges 2.0 assertion" in result.output
    award.revoked_at, award.revocation_reason = utcnow(), "Test revocation."
    db.session.commit()
    result = runner.invoke(args=["badges", "verify", str(credential)])
    assert result.exit_code == 1 and "revoked on" in result.output
    credential.write_text(credential.read_text()[:-4] + "AAAA")
    assert runner.invoke(args=["badges", "verify", str(credential)]).exit_code == 1


def forgeries(genuine: dict) -> dict[str, dict | str]:
    """What an attacker bakes into a badge image, starting from a genuine assertion."""
    made_up = dict(genuine, id=f"{BASE}/badges/assertions/{'0' * 32}.json")
    other_host = dict(genuine, id=genuine["id"].replace(BASE, "https://evil.example"),
                      recipient=dict(genuine["recipient"], identity="sha256$" + "ab" * 32))
    altered = {
        "recipient": dict(genuine["recipient"], identity="sha256$" + "ab" * 32),
        "recipient salt": dict(genuine["recipient"], salt="another salt"),
        "badge": f"{BASE}/badges/another-badge.json",
        "issuedOn": "2020-01-01T00:00:00Z",
    }
    forged: dict[str, dict | str] = {"made-up assertion": made_up,
                                     "real id, another host, altered recipient": other_host,
                                     "not JSON-LD at all": '{"id":"anything"}'}
    for field_name, value in altered.items():
        forged[f"altered {field_name}"] = dict(genuine, **{field_name.split()[0]: value})
    return forged


def test_forged_open_badges_2_badges_do_not_verify(app, runner, award, learner, tmp_path):
    owner = app.test_client()
    login(owner, learner)
    png = owner.get(f"/me/badges/{award.uid}/badge.png").data
    svg = owner.get(f"/me/badges/{award.uid}/badge.svg").get_data(as_text=True)
    genuine = json.loads(unbake_png(png))
    bare = tmp_path / "bare.json"
    bare.write_text('{"id":"anything"}\n')
    assert bare.stat().st_size == 18 and runner.invoke(
        args=["badges", "verify", str(bare)]).exit_code == 1
    for name, document in forgeries(genuine).items():
        text = document if isinstance(document, str) else json.dumps(document)
        for suffix, baked in ((".png", bake_png(png, text)),
                              (".svg", bake_svg(svg, text, genuine["id"]).encode())):
            path = tmp_path / f"forged{suffix}"
            path.write_bytes(baked)
            result = runner.invoke(args=["badges", "verify", str(path)])
            assert result.exit_code == 1, (name, suffix, result.output)
            assert "invalid:" in result.output, (name, result.output)
    made_up = tmp_path / "made-up.png"
    made_up.write_bytes(bake_png(png, json.dumps(forgeries(genuine)["made-up assertion"])))
    assert "this issuer has no record of the award" in runner.invoke(
        args=["badges", "verify", str(made_up)]).output
    elsewhere = tmp_path / "elsewhere.png"
    elsewhere.write_bytes(bake_png(png, json.dumps(
        forgeries(genuine)["real id, another host, altered recipient"])))
    assert "not an assertion of this issuer" in runner.invoke(
        args=["badges", "verify", str(elsewhere)]).output
    recipient = tmp_path / "recipient.png"
    recipient.write_bytes(bake_png(png, json.dumps(forgeries(genuine)["altered recipient"])))
    assert "recipient does not match the issuer's record" in runner.invoke(
        args=["badges", "verify", str(recipient)]).output
    # The genuine badge, re-baked the same way, still verifies.
    genuine_path = tmp_path / "genuine.png"
    genuine_path.write_bytes(bake_png(png, json.dumps(genuine)))
    result = runner.invoke(args=["badges", "verify", str(genuine_path)])
    assert result.exit_code == 0, result.output


def test_a_decompression_bomb_badge_is_refused(runner, tmp_path):
    from tests.test_baking import compressed_itxt_png

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(compressed_itxt_png([b'{"id": "x"'] + [b" " * 2**20] * 64 + [b"}"]))
    result = runner.invoke(args=["badges", "verify", str(bomb)])
    assert result.exit_code == 1 and "inflates to more than" in result.output


DOWNLOADS = ("badge.png", "badge.svg", "credential.jwt", "certificate.pdf")


def evaluate(client, award) -> None:
    client.post(f"/me/badges/{award.uid}/certificate", data={
        "csrf_token": csrf_token(client, f"/me/badges/{award.uid}/certificate"),
        "relevance": "5", "balanced": "yes", "free_of_commercial_bias": "yes",
        "competence": "yes", "performance": "yes", "practice_change": "Ask about goals earlier."})


@pytest.mark.parametrize("ending", ["revoked", "expired"])
def test_a_revoked_or_expired_award_downloads_nothing(app, award, learner, ending):
    owner = app.test_client()
    login(owner, learner)
    evaluate(owner, award)
    for url in DOWNLOADS:
        assert owner.get(f"/me/badges/{award.uid}/{url}").status_code == 200, url
    if ending == "revoked":
        award.revoked_at, award.revocation_reason = utcnow(), "Test revocation."
    else:
        award.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    for url in (*DOWNLOADS, "certificate"):
        assert owner.get(f"/me/badges/{award.uid}/{url}").status_code == 410, url
    me = owner.get("/me").get_data(as_text=True)
    assert f'<span class="status status-revoked">{ending.title()}</span>' in me
    assert f"/me/badges/{award.uid}/" not in me  # no links to what is gone


def status_list_bits(client, keys) -> tuple[dict, bytes]:
    import gzip

    token = client.get("/issuer/status/0")
    assert token.mimetype == "application/vc+jwt"
    assert token.headers["Access-Control-Allow-Origin"] == "*"
    key = next(k for k in keys if k["kid"] == jwt.get_unverified_header(token.data)["kid"])
    payload = jwt.decode(token.data, jwt.PyJWK(key).key, algorithms=["EdDSA"])
    encoded = payload["credentialSubject"]["encodedList"]
    assert encoded.startswith("u") and "=" not in encoded
    return payload, gzip.decompress(jwt.utils.base64url_decode(encoded[1:]))


def test_revocation_is_published_in_a_signed_bitstring_status_list(app, client, runner, award,
                                                                  learner, admin, tmp_path):
    from champion.badges.operations import revoke_award

    owner = app.test_client()
    login(owner, learner)
    token = owner.get(f"/me/badges/{award.uid}/credential.jwt").get_data(as_text=True)
    keys = client.get("/issuer/jwks.json").json["keys"]
    status = verify(token, keys).credential["credentialStatus"]
    list_url = f"{BASE}/issuer/status/0"
    assert status == {"id": f"{list_url}#{award.status_index}",
                      "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                      "statusListIndex": str(award.status_index),
                      "statusListCredential": list_url}
    payload, bits = status_list_bits(client, keys)
    assert payload["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert payload["id"] == list_url and payload["issuer"]["id"] == f"{BASE}/issuer.json"
    subject = payload["credentialSubject"]
    assert (subject["type"], subject["statusPurpose"]) == ("BitstringStatusList", "revocation")
    assert len(bits) == 16 * 1024 and not any(bits)  # the spec's minimum size, all clear
    credential = tmp_path / "badge.jwt"
    credential.write_text(token)
    result = runner.invoke(args=["badges", "verify", str(credential)])
    assert result.exit_code == 0 and "is clear (not revoked)" in result.output

    revoke_award(award, "Completed under another account.", admin)
    db.session.commit()
    _payload, bits = status_list_bits(client, keys)
    index = award.status_index
    assert bits[index // 8] == 0x80 >> (index % 8)  # its bit, and only its bit
    assert sum(bin(byte).count("1") for byte in bits) == 1
    result = runner.invoke(args=["badges", "verify", str(credential)])
    assert result.exit_code == 1
    assert f"revoked: bit {index} of {list_url} is set" in result.output
    assert client.get("/issuer/status/1").status_code == 404


def test_status_list_encoding_is_the_specifications():
    from champion.badges.status_list import LIST_SIZE, StatusListError, encode, is_set

    encoded = encode([0, 9, LIST_SIZE - 1])
    assert [i for i in (0, 1, 8, 9, 10, LIST_SIZE - 1) if is_set(encoded, i)] == [
        0, 9, LIST_SIZE - 1]
    with pytest.raises(StatusListError):
        is_set(encoded, LIST_SIZE)
    with pytest.raises(StatusListError):
        is_set(encoded[1:], 0)  # no multibase prefix


def test_every_award_gets_its_own_stable_status_index(synced, learner):
    from champion.auth.models import Role
    from tests.helpers import make_user

    first = earn(learner)
    second = earn(make_user(Role.LEARNER, email="second@example.org"))
    assert first.status_index == first.id and second.status_index == second.id
    assert first.status_index != second.status_index


def test_the_certificate_follows_the_evaluation(app, award, learner):
    client = app.test_client()
    login(client, learner)
    assert client.get(f"/me/badges/{award.uid}/certificate.pdf").status_code == 302
    page = client.get(f"/me/badges/{award.uid}/certificate").get_data(as_text=True)
    assert "Evaluate the programme" in page and "commercial bias" in page
    token = csrf_token(client, f"/me/badges/{award.uid}/certificate")
    incomplete = client.post(f"/me/badges/{award.uid}/certificate", data={
        "csrf_token": token, "relevance": "5", "practice_change": "Ask about goals earlier."})
    text = incomplete.get_data(as_text=True)
    assert incomplete.status_code == 422
    assert "Answer whether the content was balanced." in text
    assert "Answer whether the programme increased your competence." in text
    assert "Ask about goals earlier." in text  # what was typed is kept
    client.post(f"/me/badges/{award.uid}/certificate", data={
        "csrf_token": token, "relevance": "5", "balanced": "yes", "free_of_commercial_bias": "yes",
        "competence": "some", "performance": "already", "follow_up": "y",
        "practice_change": "Ask about goals earlier."})
    evaluation = db.session.scalar(select(ProgrammeEvaluation))
    assert evaluation.relevance == 5 and evaluation.balanced
    assert (evaluation.competence, evaluation.performance, evaluation.follow_up) == (
        "some", "already", True)
    pdf = client.get(f"/me/badges/{award.uid}/certificate.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert learner.name in text and "Basics Graduate" in text
    assert "First steps" in text and "Second steps" in text and "A reading" in text
    # 10 + 15 + 5 = 30 minutes of the badge's modules, named as nominal; no time was
    # recorded (the modules were completed without being opened), and it says so.
    assert "Nominal duration of the modules completed: 30 min; time recorded: none" in text
    assert "Instruction time" not in text
    assert f"{BASE}/badges/assertions/{award.uid}" in text.replace("\n", "")


def test_educators_see_the_evaluations_summarised(app, award, learner, educator):
    db.session.add(ProgrammeEvaluation(award_id=award.id, user_id=learner.id, relevance=4,
                                       balanced=True, free_of_commercial_bias=False,
                                       practice_change="Refer earlier.", competence="yes",
                                       performance="already"))
    db.session.commit()
    client = app.test_client()
    login(client, educator)
    page = client.get("/author/evaluations").get_data(as_text=True)
    assert "Refer earlier." in page and "4.0" in page and "0 of 1 (0%)" in page
    assert "<td>1 of 1</td><td>0 of 1</td>" in page  # competence increased; practice as is
    other = app.test_client()
    login(other, learner)
    assert other.get("/author/evaluations").status_code == 403


def test_expiry_and_recertification(app, synced, learner, content_dir):
    from tests.helpers import sync

    badges = content_dir / "badges.yml"
    badges.write_text(badges.read_text().replace("  image:", "  valid_for_days: 365\n  image:"))
    sync(content_dir)
    first = earn(learner)
    assert first.expires_at - first.awarded_at == timedelta(days=365)
    assert first.valid()
    # A year passes (for the award and the completions that earned it).
    from champion.progress.models import ModuleProgress

    first.awarded_at -= timedelta(days=400)
    first.expires_at -= timedelta(days=400)
    for progress in db.session.scalars(select(ModuleProgress)):
        progress.completed_at -= timedelta(days=400)
        progress.last_completed_at -= timedelta(days=400)
    db.session.commit()
    client = app.test_client()
    page = client.get(f"/badges/assertions/{first.uid}").get_data(as_text=True)
    assert "This badge has expired" in page
    assert client.get(f"/badges/assertions/{first.uid}.json").json["expires"]
    complete_module(learner, "basics", "first-steps")
    complete_module(learner, "basics", "second-steps")
    awards = db.session.scalars(select(BadgeAward).order_by(BadgeAward.number)).all()
    assert len(awards) == 1  # the reading is still to do again
    complete_module(learner, "basics", "reading")
    awards = db.session.scalars(select(BadgeAward).order_by(BadgeAward.number)).all()
    assert [a.number for a in awards] == [1, 2]
    assert awards[1].valid() and awards[0].expired()
    badge = db.session.scalar(select(Badge))
    assert badge.valid_for_days == 365


def test_a_badge_keeps_verifying_after_its_holder_changes_address(
        app, runner, award, learner, admin, tmp_path, client):
    owner = app.test_client()
    login(owner, learner)
    baked = tmp_path / "badge.png"
    baked.write_bytes(owner.get(f"/me/badges/{award.uid}/badge.png").data)
    credential = tmp_path / "badge.jwt"
    credential.write_bytes(owner.get(f"/me/badges/{award.uid}/credential.jwt").data)
    before = client.get(f"/badges/assertions/{award.uid}.json").get_json()["recipient"]

    from champion.auth.operations import set_email

    set_email(learner, "learner.new@example.org", admin)
    db.session.commit()
    after = client.get(f"/badges/assertions/{award.uid}.json").get_json()["recipient"]
    assert after == before  # the identity it was issued to, not the account's new address
    assert runner.invoke(args=["badges", "verify", str(baked)]).exit_code == 0
    jwks = tmp_path / "jwks.json"
    jwks.write_bytes(client.get("/issuer/jwks.json").data)
    result = runner.invoke(args=["badges", "verify", str(credential), "--jwks", str(jwks)])
    assert result.exit_code == 0, result.output
