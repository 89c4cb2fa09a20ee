"""What each detector catches, what it must leave alone, and how detectors interact."""

from __future__ import annotations

import time

import pytest

from tools.safety import PiiKind, Redactor, SafetyConfigError, SafetyError

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
AZURE_STORAGE = (
    "DefaultEndpointsProtocol=https;AccountName=mlstore;"
    "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
    "EndpointSuffix=core.windows.net"
)
COSMOS = "AccountEndpoint=https://ops.documents.azure.com:443/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;"
SQL = "Server=tcp:ops.database.windows.net,1433;Initial Catalog=runs;User ID=svc;Password=Tr0ub4dor&3;Encrypt=True;"

# (text, kind, the exact value that must disappear)
POSITIVES = [
    ("contact alice.smith+ops@example.co.uk today", PiiKind.EMAIL, "alice.smith+ops@example.co.uk"),
    ("from=<bob@contoso.com>", PiiKind.EMAIL, "bob@contoso.com"),
    ("client 10.1.2.3 connected", PiiKind.IP, "10.1.2.3"),
    ("upstream 192.168.0.17:8443 refused", PiiKind.IP, "192.168.0.17"),
    ("peer 2001:db8:85a3::8a2e:370:7334 joined", PiiKind.IP, "2001:db8:85a3::8a2e:370:7334"),
    ("listen [fe80::1ff:fe23:4567:890a]:8080", PiiKind.IP, "fe80::1ff:fe23:4567:890a"),
    ("mapped ::ffff:10.0.0.9 ok", PiiKind.IP, "::ffff:10.0.0.9"),
    ("card 4111 1111 1111 1111 declined", PiiKind.CARD, "4111 1111 1111 1111"),
    ("card=5555-5555-5555-4444", PiiKind.CARD, "5555-5555-5555-4444"),
    ("amex 378282246310005", PiiKind.CARD, "378282246310005"),
    ("amex 3782 822463 10005", PiiKind.CARD, "3782 822463 10005"),
    ("Authorization: Bearer abcdef0123456789abcdef.xyz", PiiKind.SECRET, "abcdef0123456789abcdef.xyz"),
    (f"token {JWT} expired", PiiKind.SECRET, JWT),
    (
        "OPENAI key sk-proj-Ab3dEf6hIj9kLmN0pQrStUvWxYz12 set",
        PiiKind.SECRET,
        "sk-proj-Ab3dEf6hIj9kLmN0pQrStUvWxYz12",
    ),
    ("aws AKIAIOSFODNN7EXAMPLE used", PiiKind.SECRET, "AKIAIOSFODNN7EXAMPLE"),
    (
        "gh ghp_16C7e42F292c6912E7710c838347Ae178B4a pushed",
        PiiKind.SECRET,
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    ),
    (
        "AZURE_OPENAI_API_KEY=0123456789abcdef0123456789abcdef",
        PiiKind.SECRET,
        "0123456789abcdef0123456789abcdef",
    ),
    ("x-api-key: k3y-v4lue", PiiKind.SECRET, "k3y-v4lue"),
    ('{"password": "correct horse battery"}', PiiKind.SECRET, "correct horse battery"),
    ("db_password='p@ss'", PiiKind.SECRET, "p@ss"),
    ("client_secret=s3cr3t&grant_type=client_credentials", PiiKind.SECRET, "s3cr3t"),
    ("blob?sv=2022-11-02&sig=AbC%2Fd3f%3D&se=2030", PiiKind.SECRET, "AbC%2Fd3f%3D"),
    ("mlflow login --password hunter2 --user x", PiiKind.SECRET, "hunter2"),
    ("Authorization: Basic dXNlcjpwYXNzd29yZA==", PiiKind.SECRET, "dXNlcjpwYXNzd29yZA=="),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
        PiiKind.SECRET,
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    ),
    (f"conn={AZURE_STORAGE}", PiiKind.CONNSTR, AZURE_STORAGE),
    (f"cosmos: {COSMOS}", PiiKind.CONNSTR, COSMOS),
    (f"sql '{SQL}'", PiiKind.CONNSTR, SQL),
    (
        "dsn postgres://app:s3cret@db.internal:5432/runs, retry",
        PiiKind.CONNSTR,
        "postgres://app:s3cret@db.internal:5432/runs",
    ),
    (
        "mongodb+srv://ops:pw@cluster0.abcd.mongodb.net/test?retryWrites=true",
        PiiKind.CONNSTR,
        "mongodb+srv://ops:pw@cluster0.abcd.mongodb.net/test?retryWrites=true",
    ),
    (
        "https://deploy:tok3n@git.example.com/repo.git",
        PiiKind.CONNSTR,
        "https://deploy:tok3n@git.example.com/repo.git",
    ),
    ("open /home/alice/.cache/model.bin", PiiKind.USER, "alice"),
    ('File "/Users/bob.jones/src/app.py", line 3', PiiKind.USER, "bob.jones"),
    ("C:\\Users\\carol\\AppData\\Local\\Temp", PiiKind.USER, "carol"),
    ('"C:\\\\Users\\\\dave\\\\x.log"', PiiKind.USER, "dave"),
    ("C:\\Users\\Erin Lee\\Desktop\\run.ps1", PiiKind.USER, "Erin Lee"),
    ("call +1 (415) 555-2671 now", PiiKind.PHONE, "+1 (415) 555-2671"),
    ("sms +447911123456 sent", PiiKind.PHONE, "+447911123456"),
    ("phone 415-555-2671", PiiKind.PHONE, "415-555-2671"),
]


@pytest.mark.parametrize(("text", "kind", "value"), POSITIVES, ids=[f"{k}:{v[:24]}" for _, k, v in POSITIVES])
def test_detects(text: str, kind: PiiKind, value: str) -> None:
    r = Redactor().redact(text)
    assert value not in r.text
    assert [(ph, orig) for ph, orig in r.mapping.items() if orig == value] == [(f"<{kind}_1>", value)]
    assert r.text == text.replace(value, f"<{kind}_1>", 1)


NEGATIVES = [
    "2024-05-01T12:30:45.123Z INFO request took 1234 ms",
    "12:30:45 worker started",
    "Received block blk_-1608999687919862906 of size 91178 from /10.250.19.102",  # the IP only
    "epoch_ms=1714567890123 trace=4bf92f3577b34da6a3ce929d0e0e4736",
    "order 4111111111111112 (fails Luhn)",
    "id 0000000000000000 and 1111111111111111111",
    "uuid 123e4567-e89b-12d3-a456-426614174000",
    "version v1.2.3.4 and 1.2.3.4.5 and 3.11.9",
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "std::vector<int> and Foo::Bar and a[::2]",
    "mac 00:1a:2b:3c:4d:5e",
    "max_tokens=512 prompt_tokens: 80 token_count=4 tokens=9",
    'password: null  secret=*** pwd=""',
    "Bearer authentication failed",
    "listening on 127.0.0.1:8000 and 0.0.0.0 and [::1]:80",
    "/home/site/wwwroot/app.py and C:\\Users\\Public\\x",
    "npm i lodash@4.17.21 and @app.route and user@localhost",
    "delta +12 34 ms, count 555-1234",
    "Deployment rollback completed successfully",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_leaves_ordinary_text_alone(text: str) -> None:
    r = Redactor().redact(text)
    if text.startswith("Received block"):
        assert r.text == text.replace("10.250.19.102", "<IP_1>")
    else:
        assert r.text == text
        assert r.mapping == {}


def test_connection_string_wins_over_key_and_email_inside_it() -> None:
    r = Redactor().redact("postgres://alice@example.com:pw@db/x AccountKey=abc;Password=x")
    assert r.text == "<CONNSTR_1> <CONNSTR_2>"
    assert r.mapping["<CONNSTR_1>"] == "postgres://alice@example.com:pw@db/x"


def test_single_pair_is_a_secret_not_a_connection_string() -> None:
    assert Redactor().redact("Password=hunter2;").text == "Password=<SECRET_1>;"


def test_card_beats_phone_and_keys_beat_cards() -> None:
    r = Redactor().redact("4111-1111-1111-1111 api_key=4111111111111111")
    assert r.text == "<CARD_1> api_key=<SECRET_1>"


def test_only_selected_kinds() -> None:
    text = "alice@example.com from 10.0.0.1 password=hunter2"
    assert Redactor(["email"]).redact(text).text == "<EMAIL_1> from 10.0.0.1 password=hunter2"
    assert (
        Redactor({PiiKind.IP, PiiKind.SECRET}).redact(text).text
        == "alice@example.com from <IP_1> password=<SECRET_1>"
    )


def test_unknown_kind_is_a_config_error() -> None:
    with pytest.raises(SafetyConfigError, match="unknown PII kind 'ssn'") as info:
        Redactor(["ssn"])
    assert isinstance(info.value, SafetyError) and isinstance(info.value, ValueError)


def test_allow_list_and_defaults() -> None:
    assert Redactor(allow={"10.0.0.1"}).redact("10.0.0.1 10.0.0.2").text == "10.0.0.1 <IP_1>"
    assert Redactor(allow_defaults=False).redact("127.0.0.1").text == "<IP_1>"


def test_find_reports_sorted_spans() -> None:
    text = "b@x.io then 10.0.0.1"
    assert Redactor().find(text) == [(0, 6, PiiKind.EMAIL), (12, 20, PiiKind.IP)]


PATHOLOGICAL = [
    "A=" * 5000,
    "Key=" + "x" * 20000,
    ":" * 20000,
    "1" * 20000,
    "a" * 20000 + "@",
    "password=" + "=" * 20000,
    ("Foo Bar=baz " * 2000) + "password",
    "-----BEGIN PRIVATE KEY-----" + "A" * 20000,
    "1." * 10000,
    "/home/" * 5000,
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=lambda t: repr(t[:12]))
def test_no_catastrophic_backtracking(text: str) -> None:
    start = time.perf_counter()
    Redactor().redact(text)
    assert time.perf_counter() - start < 1.0


def test_thousands_of_log_lines_are_fast() -> None:
    lines = [
        f"2024-05-01T12:{i % 60:02d}:00Z INFO worker-{i} handled request {i} from 10.0.{i % 255}.7 in {i % 97} ms"
        for i in range(5000)
    ]
    session = Redactor().session()
    start = time.perf_counter()
    out = session.redact_many(lines)
    elapsed = time.perf_counter() - start
    assert elapsed < 3.0, elapsed
    assert out[7].text == "2024-05-01T12:07:00Z INFO worker-7 handled request 7 from <IP_8> in 7 ms"
    assert len(session) == 255
