"""ArmEmulator: the emulator in-process, on a free port and a temporary data dir, for Python tests."""

from __future__ import annotations

import shutil
import ssl
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from .identity.directory import load_directory
from .settings import Settings

if TYPE_CHECKING:
    from azure.identity import ClientSecretCredential

    from .server import PreparedServer

READY_PATH = "/_emulator/ready"
_STOP_SECONDS = 10.0


class _ArgumentsOnly(Settings):
    """Settings from the arguments alone: a shell set up for `arm-emulator serve` must not change tests."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


class ArmEmulator:
    """`with ArmEmulator(lro_mode="polls") as arm:` serves until the block ends; any Settings field may
    be given. Defaults differ from `arm-emulator serve` only where tests want it: port 0, a temporary
    data dir (removed on stop), log level warning, and no Retry-After so that SDK polling_interval=0
    makes operations finish at once."""

    def __init__(self, **settings: Any) -> None:
        defaults: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": 0,
            "log_level": "warning",
            "retry_after_seconds": 0,
        }
        self._values = {**defaults, **settings}
        self.settings: Settings | None = None
        self._prepared: PreparedServer | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._temp_dir: Path | None = None
        self.url = ""
        self.ca_file: Path | None = None
        self.tenant_id = self.client_id = self.client_secret = self.subscription_id = ""

    # -- life cycle ---------------------------------------------------------------------------------

    def __enter__(self) -> ArmEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self, timeout: float = 30.0) -> ArmEmulator:
        """Returns once /_emulator/ready answers 200; raises (leaving nothing running) otherwise."""
        if self._thread is not None:
            raise RuntimeError("this ArmEmulator is already running")
        from .server import prepare  # uvicorn and the app load only when an emulator is wanted

        values = dict(self._values)
        if "data_dir" not in values:
            self._temp_dir = values["data_dir"] = Path(tempfile.mkdtemp(prefix="arm-emulator-"))
        try:
            self.settings = _ArgumentsOnly(**values)
            self._prepared = prepare(self.settings, configure_logging=False)
            self._read_identity(self.settings)
            self.url = self._prepared.url
            self.ca_file = self._prepared.tls.ca_file if self._prepared.tls else None
            self._error = None
            self._thread = threading.Thread(
                target=self._serve, args=(self._prepared,), name=f"arm-emulator {self.url}", daemon=True
            )
            self._thread.start()
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Idempotent: asks uvicorn to exit, waits for its thread, removes the data dir if made here."""
        prepared, thread = self._prepared, self._thread
        self._prepared = self._thread = None
        if prepared is not None and thread is not None:
            prepared.server.should_exit = True
            thread.join(_STOP_SECONDS)
            if thread.is_alive():  # connections that do not close: stop waiting for them
                prepared.server.force_exit = True
                thread.join(_STOP_SECONDS)
        if prepared is not None:
            prepared.close_sockets()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir)
            self._temp_dir = None

    def _serve(self, prepared: PreparedServer) -> None:
        try:
            # A thread of its own gets a new event loop; uvicorn installs signal handlers only in
            # the main thread, so Ctrl+C still reaches the test runner.
            prepared.server.run(sockets=prepared.sockets)
        except BaseException as error:  # SystemExit when the app's lifespan start-up fails
            self._error = error
        finally:
            prepared.close_sockets()

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self.http() as client:
            while True:
                assert self._thread is not None
                if not self._thread.is_alive():
                    detail = f": {self._error!r}" if self._error else ""
                    raise RuntimeError(
                        f"the ARM emulator stopped while starting{detail} (its log is on the 'uvicorn.error' logger)"
                    ) from self._error
                try:
                    if client.get(READY_PATH, timeout=1.0).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the ARM emulator at {self.url} was not ready after {timeout} s")
                time.sleep(0.02)

    def _read_identity(self, settings: Settings) -> None:
        # create_app has made (or read) identity.json in the data dir: the same service principal.
        directory = load_directory(
            settings.data_dir, tenant_id=settings.tenant_id, registrations_file=settings.registrations_file
        )
        app = directory.default_app
        self.tenant_id, self.client_id = app.tenant_id, app.client_id
        self.client_secret = app.client_secret or ""
        self.subscription_id = directory.default_subscription

    # -- what tests use -----------------------------------------------------------------------------

    def _running_url(self) -> str:
        if not self.url or self._prepared is None:
            raise RuntimeError("the ARM emulator is not running: use `with ArmEmulator() as arm:` or start()")
        return self.url

    def _verify(self) -> ssl.SSLContext | bool:
        if self.ca_file is not None:
            return ssl.create_default_context(cafile=str(self.ca_file))
        return True  # plain HTTP, or your own certificate: trust as the system does

    def http(self) -> httpx.Client:
        """A client for the control API (`/_emulator/...`), trusting the CA; close it (use `with`)."""
        url = self._running_url()
        token = self.settings.control_token if self.settings else None
        headers = {"x-emulator-token": token} if token else {}
        return httpx.Client(base_url=url, verify=self._verify(), headers=headers, timeout=30, trust_env=False)

    def reset(self) -> None:
        """Forget every resource, journal entry, fault rule, timing override and clock offset."""
        with self.http() as client:
            client.post("/_emulator/reset").raise_for_status()

    def credential(self, **kwargs: Any) -> ClientSecretCredential:
        """The default service principal, talking to the emulator's own Entra ID."""
        try:
            from azure.identity import ClientSecretCredential
        except ImportError:
            raise ImportError("ArmEmulator.credential() needs azure-identity: pip install azure-identity") from None
        url = self._running_url()
        options: dict[str, Any] = {"authority": url, "disable_instance_discovery": True}
        if self.ca_file is not None:
            options["connection_verify"] = str(self.ca_file)
        return ClientSecretCredential(self.tenant_id, self.client_id, self.client_secret, **{**options, **kwargs})

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for any azure-mgmt-* client: `Client(credential, subscription, **kwargs)`."""
        url = self._running_url()
        kwargs: dict[str, Any] = {
            "base_url": url,
            "credential_scopes": [f"{url}/.default"],
            "polling_interval": 0,
            # An emulator error should fail the test at once, not after the SDK's retries.
            "retry_total": 0,
        }
        if self.ca_file is not None:
            kwargs["connection_verify"] = str(self.ca_file)
        return kwargs
