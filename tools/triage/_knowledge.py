"""The curated knowledge base of common error families, for the offline plain-language rewrite.

Each family has a pattern over the template text, the default category it belongs to, label words
(to name it in a user's own label set: ``network``, ``timeout``...) and a rewrite for business
users: what happened, the likely impact, what to check. Families are tried in order, most specific
first (a lock-wait timeout is a database lock problem, not a network timeout).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FAMILIES", "Family", "find_family"]


@dataclass(frozen=True)
class Family:
    name: str
    title: str
    pattern: re.Pattern[str]
    category: str  # id of the default category it belongs to
    labels: tuple[str, ...]  # words a user's label set may use for it, preferred first
    what_happened: str
    impact: str
    check: str


def _f(
    name: str, title: str, pattern: str, category: str, labels: str, what: str, impact: str, check: str
) -> Family:
    return Family(
        name, title, re.compile(pattern, re.I), category, tuple(labels.split()), what, impact, check
    )


FAMILIES: tuple[Family, ...] = (
    _f(
        "db_lock",
        "database deadlock or lock timeout",
        r"deadlock|lock wait timeout|could not obtain lock|lock (?:acquisition )?time(?:d)?[ -]?out|"
        r"serialization failure|ORA-00060|LockTimeout|lock request time out",
        "application",
        "database db lock deadlock application",
        "Two or more database operations blocked each other, and the database cancelled one of them.",
        "The cancelled operation failed; users may see errors or have to retry, and some updates may not have been saved.",
        "Look for long-running transactions and the queries involved; check whether retries succeeded and whether "
        "the same tables are updated in a different order by different jobs.",
    ),
    _f(
        "dns",
        "name resolution (DNS) failure",
        r"ENOTFOUND|getaddrinfo|name (?:or service )?(?:resolution|not known)|could not resolve|unable to resolve|"
        r"unknown ?host|UnknownHostException|NXDOMAIN|no such host|failure in name resolution|dns",
        "infrastructure",
        "network dns connectivity infrastructure",
        "A service could not find the network address of another service by its name (DNS lookup failed).",
        "Calls to that service fail until the name resolves again; features that depend on it are unavailable.",
        "Check the host name for typos, the DNS records and resolver configuration, and recent network or DNS changes.",
    ),
    _f(
        "tls",
        "TLS / certificate problem",
        r"certificate|x509|\bSSL\b|\bTLS\b|handshake|PKIX|CERT_|self[- ]signed|unable to verify",
        "security",
        "security auth tls certificate network",
        "A secure (TLS) connection could not be established, usually because a certificate is expired, untrusted or "
        "issued for another name.",
        "Secure calls between the affected systems fail; users may see connection or security errors.",
        "Check the certificate's expiry date, its host name and chain of trust, and the trusted CA bundle on the client.",
    ),
    _f(
        "auth",
        "authentication failure",
        r"unauthori[sz]ed|\b401\b|authentication failed|auth(?:entication)? ?fail|failed password|invalid user|"
        r"invalid (?:credentials|password|token|api key|signature)|login failed|token (?:has )?expired|expired token|"
        r"bad credentials|not authenticated",
        "security",
        "auth authentication security access login",
        "A user or service could not prove its identity: a wrong password, an invalid or expired token or key.",
        "The caller is refused; if it is a service account, everything that uses it stops working. Repeated "
        "failures from one source can also be an attack.",
        "Check whether the credential or token expired or was rotated, which account is failing and from where, "
        "and whether the failures look like guessing (many users, one address).",
    ),
    _f(
        "permission",
        "permission denied",
        r"permission denied|EACCES|access (?:is )?denied|forbidden|\b403\b|AuthorizationFailed|not authori[sz]ed|"
        r"insufficient (?:privileges|permissions)|does not have (?:authorization|permission)|operation not permitted",
        "security",
        "auth permission authorization security access",
        "An identity was recognised but is not allowed to do what it tried (missing role or file permission).",
        "The action fails every time until the permission is granted; dependent jobs or features stop.",
        "Check the role assignments or file permissions of the identity named in the error, and recent permission changes.",
    ),
    _f(
        "oom",
        "out of memory",
        r"out of memory|OutOfMemory|\bOOM|oom[-_ ]?kill|cannot allocate memory|memory limit|MemoryError|"
        r"Killed process|heap space|GC overhead limit",
        "infrastructure",
        "memory oom resources infrastructure",
        "A process needed more memory than it was allowed and was stopped or failed to allocate it.",
        "The process crashed or its work failed; it may restart in a loop, and requests in flight are lost.",
        "Check the memory limit against actual use, recent growth in data or traffic, and memory leaks; "
        "consider a larger size or smaller batches.",
    ),
    _f(
        "disk_full",
        "disk full",
        r"no space left|disk (?:is )?full|ENOSPC|errno 28|insufficient (?:disk|storage) space|filesystem (?:is )?full|"
        r"quota exceeded on disk|out of disk",
        "infrastructure",
        "storage disk infrastructure",
        "A disk or volume ran out of free space, so data could not be written.",
        "Writes fail: files, logs, checkpoints or database changes may be lost until space is freed.",
        "Check free space on the volume named in the error, what filled it (logs, temp files, checkpoints), "
        "and clean-up or retention jobs.",
    ),
    _f(
        "storage_io",
        "storage or file-system error",
        r"I/O error|EXT4-fs error|XFS|read-only file system|bad sector|\bEIO\b|disk failure|blk_update_request|"
        r"medium error|corrupt(?:ed)? (?:file|block|data)",
        "infrastructure",
        "storage disk infrastructure",
        "The storage device or file system reported an error reading or writing data.",
        "Data on that volume may be unreadable or damaged; services using it can fail or hang.",
        "Check the device's health (SMART, cloud disk status), file-system errors in the kernel log, and backups.",
    ),
    _f(
        "quota",
        "quota or rate limit",
        r"rate[- ]limit|too many requests|\b429\b|throttl|quota (?:exceeded|limit)|QuotaExceeded|limit exceeded|"
        r"TooManyRequests|request limit",
        "infrastructure",
        "quota limit capacity throttling infrastructure",
        "A service refused requests because a usage limit or quota was reached.",
        "Requests are rejected or delayed until the limit resets; batch jobs slow down or fail.",
        "Check current usage against the quota, which client sends the most requests, retries with back-off, "
        "and whether to raise the limit.",
    ),
    _f(
        "http_5xx",
        "server error (HTTP 5xx)",
        r"\b50[0-4]\b|internal server error|bad gateway|service unavailable|gateway time-?out|HTTP/\d(?:\.\d)? 5\d\d|"
        r"status(?:code)?[=: ]+5\d\d",
        "application",
        "server application http availability",
        "A web service answered a request with a server error (5xx): it failed while handling it.",
        "Users or calling services got an error instead of a result; repeated errors mean an outage of that service.",
        "Check the failing service's own logs at the same time, its health and dependencies, and recent deployments.",
    ),
    _f(
        "timeout",
        "timeout",
        r"time[d]?[ -]?out|timeout|deadline ?exceeded|ETIMEDOUT|took too long|statement timeout|QueryCanceled|"
        r"read timed|no response (?:from|within)",
        "infrastructure",
        "timeout latency performance network infrastructure",
        "An operation did not finish in the allowed time and was given up.",
        "The request or job failed or was retried; users see slowness or errors, and retries add load.",
        "Check the response time of the service being called, network latency, load on it, and whether the "
        "timeout is set too low for the work.",
    ),
    _f(
        "connection",
        "connection refused or reset",
        r"connection (?:was )?refused|ECONNREFUSED|connect\(\) failed|errno 111|no route to host|connection reset|"
        r"ECONNRESET|broken pipe|prematurely closed|no live upstreams|host unreachable|network (?:is )?unreachable|"
        r"could not connect|failed to connect|connection (?:closed|lost|aborted)",
        "infrastructure",
        "network connectivity connection infrastructure",
        "A service tried to reach another one over the network and the connection was refused, reset or "
        "never established.",
        "Whatever needed that service failed; if it keeps happening, the dependent feature is down.",
        "Check that the target service is running and listening on the expected host and port, firewall or "
        "network rules, and recent restarts.",
    ),
    _f(
        "crash",
        "process crash or restart",
        r"crash|core dump|segfault|SIGSEGV|SIGKILL|SIGABRT|exited with (?:code|status)|terminated unexpectedly|"
        r"CrashLoopBackOff|back-?off restarting|killed by signal|unexpected(?:ly)? exit|restarting|panic:",
        "infrastructure",
        "crash process infrastructure stability",
        "A process stopped unexpectedly (crashed or was killed) and may have been restarted.",
        "Work in progress was lost; repeated crashes make the service unavailable or flaky.",
        "Check the exit code or signal, the last log lines before the crash, memory use, and recent changes "
        "to the code or its configuration.",
    ),
    _f(
        "config",
        "missing or invalid configuration",
        r"(?:config\w*|setting|environment variable|env var|parameter|option|property)\b.{0,60}\b"
        r"(?:missing|not (?:set|found|defined)|invalid|required|unknown)|missing (?:required )?"
        r"(?:config\w*|setting|key|parameter|property|environment)|KeyError|ValidationError|ScannerError|"
        r"not a valid|yaml|could not parse|invalid value|unrecognized option",
        "application",
        "config configuration application setup",
        "The application's configuration is missing a value or has an invalid one, so it could not start or "
        "complete the step.",
        "The affected component fails every time until the configuration is fixed.",
        "Check the setting named in the error in the environment, configuration files or deployment spec, "
        "and the most recent configuration change.",
    ),
    _f(
        "not_found",
        "missing file or resource",
        r"no such file|FileNotFound|ENOENT|BlobNotFound|ResourceNotFound|does not exist|not found|\b404\b",
        "application",
        "storage missing data application",
        "Something the program expected (a file, blob, table or other resource) does not exist.",
        "The step that needed it fails; downstream data may be missing or stale.",
        "Check the name and location in the error, whether an upstream job that creates it ran, and "
        "retention or clean-up rules.",
    ),
    _f(
        "exception",
        "unhandled exception or null reference",
        r"NullPointerException|null pointer|NoneType|undefined is not|nil pointer|null reference|"
        r"[A-Za-z](?:Exception|Error)\b|Traceback|stack ?trace|assert(?:ion)? ?(?:error|failed)",
        "application",
        "application bug exception code",
        "The program hit an error it did not handle (for example it used a value that was empty).",
        "The request or job that hit it failed; if it happens often, a feature is broken for users.",
        "Check the stack trace and the input that triggered it, and whether it started with a recent release.",
    ),
)

_BY_NAME = {f.name: f for f in FAMILIES}


_SCAN = 4000  # characters looked at: enough for any message, and no pattern meets a 64 KB line


def find_family(text: str) -> Family | None:
    """The first family whose pattern matches `text` (a template or a log line)."""
    text = text[:_SCAN]
    for family in FAMILIES:
        if family.pattern.search(text):
            return family
    return None


def family(name: str) -> Family | None:
    return _BY_NAME.get(name)
