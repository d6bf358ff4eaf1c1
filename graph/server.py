"""A Neo4j Community server that Cartograph assembles from Maven Central and runs itself.

There is no vendor tarball on a package registry, but the server's modules are on Maven Central, so
``install`` resolves them into ``<home>/lib`` with Maven and ``start`` runs the community entry
point on the machine's JDK. Everything lives under one project-local home directory, binds to
loopback, and uses a generated password kept in a file only the owner can read.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

from cartograph.errors import Neo4jServerError

SUPPORTED_JAVA = (17, 21)
_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>cartograph</groupId><artifactId>neo4j-home</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.neo4j</groupId><artifactId>neo4j</artifactId>
      <version>{version}</version></dependency>
    <dependency><groupId>org.neo4j.app</groupId><artifactId>neo4j-server</artifactId>
      <version>{version}</version></dependency>
    <dependency><groupId>org.neo4j.client</groupId><artifactId>neo4j-browser</artifactId>
      <version>{browser}</version></dependency>
  </dependencies>
</project>
"""


@dataclass(frozen=True)
class ServerConfig:
    """Where and how the managed server runs. Ports and memory are the user's to change."""

    home: Path
    version: str
    browser_version: str
    bolt_port: int = 7687
    http_port: int = 7474
    heap: str = "2g"
    pagecache: str = "2g"
    start_timeout_s: float = 120.0

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def browser_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/browser/"

    @property
    def password_file(self) -> Path:
        return self.home / "password"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"


def find_java() -> Path:
    """A JDK that Neo4j 5.26 supports: ``$JAVA_HOME`` first, then the system JDKs, then PATH."""
    candidates: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]) / "bin" / "java")
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        for name in sorted(p.name for p in jvm.iterdir()):
            if any(f"-{v}" in name for v in SUPPORTED_JAVA):
                candidates.append(jvm / name / "bin" / "java")
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(on_path))
    for java in candidates:
        if java.exists() and _java_major(java) in SUPPORTED_JAVA:
            return java
    raise Neo4jServerError(
        f"no Java {' or '.join(map(str, SUPPORTED_JAVA))} found "
        f"(tried {[str(c) for c in candidates]});"
        " install openjdk-17-jre-headless or set JAVA_HOME",
        code="E201",
    )


def _java_major(java: Path) -> int | None:
    out = subprocess.run([str(java), "-version"], capture_output=True, text=True, check=False)
    for token in out.stderr.split():
        token = token.strip('"')
        if token[:1].isdigit():
            return int(token.split(".")[0])
    return None


def is_installed(cfg: ServerConfig) -> bool:
    marker = cfg.home / "lib" / ".installed"
    return marker.exists() and marker.read_text().strip() == f"{cfg.version}/{cfg.browser_version}"


def install(cfg: ServerConfig) -> None:
    """Resolve the server and Browser jars into ``<home>/lib`` (idempotent; ~/.m2 caches)."""
    if is_installed(cfg):
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jServerError(
            "Maven (mvn) is required to install Neo4j; apt-get install maven", code="E202"
        )
    build = cfg.home / "build"
    build.mkdir(parents=True, exist_ok=True)
    (build / "pom.xml").write_text(_POM.format(version=cfg.version, browser=cfg.browser_version))
    lib = cfg.home / "lib"
    if lib.exists():
        shutil.rmtree(lib)
    cmd = [
        mvn,
        "-q",
        "-B",
        "-f",
        str(build / "pom.xml"),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={lib}",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise Neo4jServerError(
            f"Maven could not assemble Neo4j {cfg.version}: "
            f"{result.stdout[-2000:]}{result.stderr[-2000:]}",
            code="E203",
        )
    (lib / ".installed").write_text(f"{cfg.version}/{cfg.browser_version}\n")


def write_config(cfg: ServerConfig) -> None:
    """Regenerate ``conf/neo4j.conf`` each start so port/memory settings always take effect."""
    h = cfg.home.resolve()
    for sub in ("conf", "data", "logs", "plugins", "import", "run"):
        (h / sub).mkdir(parents=True, exist_ok=True)
    lines = [
        f"server.directories.data={h / 'data'}",
        f"server.directories.logs={h / 'logs'}",
        f"server.directories.plugins={h / 'plugins'}",
        f"server.directories.import={h / 'import'}",
        f"server.directories.run={h / 'run'}",
        "server.default_listen_address=127.0.0.1",
        "server.bolt.enabled=true",
        f"server.bolt.listen_address=127.0.0.1:{cfg.bolt_port}",
        "server.http.enabled=true",
        f"server.http.listen_address=127.0.0.1:{cfg.http_port}",
        f"server.http.advertised_address=127.0.0.1:{cfg.http_port}",
        f"server.bolt.advertised_address=127.0.0.1:{cfg.bolt_port}",
        "server.https.enabled=false",
        "dbms.usage_report.enabled=false",
        f"server.memory.heap.initial_size={cfg.heap}",
        f"server.memory.heap.max_size={cfg.heap}",
        f"server.memory.pagecache.size={cfg.pagecache}",
        "dbms.memory.transaction.total.max=1g",
        "db.tx_log.rotation.retention_policy=2 files",
        "dbms.security.allow_csv_import_from_file_urls=true",
        # A stop waits up to 5 s for the Bolt thread pool and 5 s more for connections that
        # a client still holds open (idle pooled ones included): 10.4 s vs 2.8 s measured with
        # one open driver. A bulk import stops the server; our transactions end before any stop.
        "internal.server.bolt.thread_pool_shutdown_wait_time=1s",
        "internal.server.bolt.connection_shutdown_wait_time=1s",
    ]
    (h / "conf" / "neo4j.conf").write_text("\n".join(lines) + "\n")


def new_password() -> str:
    """A 192-bit password in hex: neo4j-admin parses its arguments with picocli, so a URL-safe
    token that happens to start with '-' (1 in 64) is read as an option and the first start fails
    with "Missing required parameter: '<password>'" (it broke CI once)."""
    return secrets.token_hex(24)


def ensure_password(cfg: ServerConfig, java: Path) -> str:
    """Generate the password once, store it 0600, and set it before the very first start."""
    if cfg.password_file.exists():
        return cfg.password_file.read_text().strip()
    password = new_password()
    if (cfg.home / "data" / "dbms" / "auth.ini").exists() or (
        cfg.home / "data" / "databases"
    ).exists():
        raise Neo4jServerError(
            f"{cfg.home}/data exists but {cfg.password_file} is missing; "
            f"remove {cfg.home}/data to reset",
            code="E204",
        )
    cmd = [
        str(java),
        "-cp",
        f"{cfg.home / 'lib'}/*",
        f"-Dbasedir={cfg.home}",
        "org.neo4j.server.startup.Neo4jAdminCommand",
        "dbms",
        "set-initial-password",
        password,
        "--require-password-change=false",
    ]
    env = {**os.environ, "NEO4J_HOME": str(cfg.home), "NEO4J_CONF": str(cfg.home / "conf")}
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise Neo4jServerError(
            f"setting the initial password failed: {result.stderr[-2000:]}", code="E205"
        )
    fd = os.open(cfg.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password + "\n")
    return password


def read_pid(cfg: ServerConfig) -> int | None:
    """The server's pid when that process is alive, else None (a stale pid file is ignored)."""
    try:
        pid = int(cfg.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if _reap(pid):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def bolt_ready(uri: str, user: str, password: str, timeout_s: float = 3.0) -> bool:
    """True when a Bolt handshake and authentication succeed."""
    try:
        with GraphDatabase.driver(uri, auth=(user, password), connection_timeout=timeout_s) as drv:
            drv.verify_connectivity()
        return True
    except AuthError as exc:
        raise Neo4jServerError(
            f"Neo4j at {uri} rejected the stored credentials: {exc}", code="E206"
        ) from exc
    except (ServiceUnavailable, OSError):
        return False
    except Exception:  # driver raises assorted errors while the server is half-up
        return False


def start(cfg: ServerConfig) -> str:
    """Install if needed, start (or reuse) the server, wait for Bolt; returns the password."""
    java = find_java()
    install(cfg)
    write_config(cfg)
    password = ensure_password(cfg, java)
    if read_pid(cfg) is not None and bolt_ready(cfg.bolt_uri, "neo4j", password):
        return password
    _spawn(cfg, java)
    _wait_until_ready(cfg, password)
    return password


def _spawn(cfg: ServerConfig, java: Path) -> None:
    h = cfg.home.resolve()
    cmd = [
        str(java),
        f"-Xms{cfg.heap}",
        f"-Xmx{cfg.heap}",
        "-XX:+UseG1GC",
        "-XX:-OmitStackTraceInFastThrow",
        "-XX:+DisableExplicitGC",
        "-Djdk.nio.maxCachedBufferSize=1024",
        "-Dio.netty.tryReflectionSetAccessible=true",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED",
        "-Dlog4j2.disable.jmx=true",
        "-cp",
        f"{h / 'plugins'}/*:{h / 'lib'}/*",
        "org.neo4j.server.CommunityEntryPoint",
        f"--home-dir={h}",
        f"--config-dir={h / 'conf'}",
        "--console-mode",
    ]
    log = open(cfg.console_log, "ab")  # noqa: SIM115 - handed to the child, which outlives us
    proc = subprocess.Popen(
        cmd,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        cwd=h,
        start_new_session=True,
    )
    log.close()
    cfg.pid_file.write_text(f"{proc.pid}\n")


def _wait_until_ready(cfg: ServerConfig, password: str) -> None:
    deadline = time.monotonic() + cfg.start_timeout_s
    while time.monotonic() < deadline:
        if read_pid(cfg) is None:
            raise Neo4jServerError(
                f"Neo4j exited during start-up:\n{tail_logs(cfg, 40)}", code="E207"
            )
        if bolt_ready(cfg.bolt_uri, "neo4j", password, timeout_s=2.0):
            return
        time.sleep(0.5)
    raise Neo4jServerError(
        f"Neo4j did not answer on {cfg.bolt_uri} within {cfg.start_timeout_s:.0f}s:\n"
        f"{tail_logs(cfg, 40)}",
        code="E208",
    )


def stop(cfg: ServerConfig, timeout_s: float = 60.0) -> bool:
    """SIGTERM (clean checkpoint), then SIGKILL after ``timeout_s``; True if one was running."""
    pid = read_pid(cfg)
    if pid is None:
        cfg.pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and read_pid(cfg) is not None:
        _reap(pid)
        time.sleep(0.2)
    if read_pid(cfg) is not None:
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        _reap(pid)
    cfg.pid_file.unlink(missing_ok=True)
    return True


def _reap(pid: int) -> bool:
    """Collect our own child's exit status so it does not linger as a zombie; True if it exited."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == pid


def tail_logs(cfg: ServerConfig, lines: int = 50) -> str:
    """The end of the console log and debug log: where start-up errors are written."""
    parts = []
    for path in (cfg.console_log, cfg.home / "logs" / "debug.log"):
        if path.exists():
            text = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"==> {path} <==\n" + "\n".join(text))
    return "\n".join(parts) or f"(no logs under {cfg.home / 'logs'})"
