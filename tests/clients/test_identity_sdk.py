"""azure-identity against the emulator's Entra ID, in strict mode, driving both SDK clients."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.deviceupdate import DeviceUpdateMgmtClient
from azure.mgmt.deviceupdate.models import Account
from azure.mgmt.healthcareapis import HealthcareApisManagementClient
from azure.mgmt.healthcareapis.models import DicomService, Workspace
from azure.mgmt.resource.resources import ResourceManagementClient
from conftest import unique
from cryptography.hazmat.primitives.asymmetric import rsa
from emulator_process import EmulatorProcess
from sdk_clients import client_options

pytestmark = pytest.mark.clients

PUBLIC_CLIENT = "9b1f3c0e-5a4d-4e8f-9c2b-7d6e5f4a3b21"
OTHER_TENANT = "4c3b2a19-0817-4f6e-9d5c-4b3a29180716"
OTHER_APP = "2d1c0b9a-8f7e-4d6c-9b5a-4e3d2c1b0a98"


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    directory = tmp_path_factory.mktemp("strict")
    registrations = directory / "registrations.json"
    registrations.write_text(
        json.dumps(
            {
                "tenants": [
                    {
                        "id": OTHER_TENANT,
                        "subscriptions": ["7e6d5c4b-3a29-4180-8f7e-6d5c4b3a2918"],
                        "apps": [
                            {"clientId": OTHER_APP, "clientSecret": "other-secret"},
                            {"clientId": PUBLIC_CLIENT, "publicClient": True},
                        ],
                    }
                ]
            }
        )
    )
    process = EmulatorProcess(directory / "data", auth_mode="strict", registrations_file=str(registrations)).start()
    yield process
    process.stop()


def identity(emulator: EmulatorProcess) -> dict[str, str]:
    stored = emulator.identity
    return {
        "tenant": stored["tenantId"],
        "subscription": stored["subscriptionId"],
        "client_id": stored["app"]["client_id"],
        "secret": stored["app"]["client_secret"],
    }


def credential(emulator: EmulatorProcess, tenant: str, client_id: str, secret: str) -> ClientSecretCredential:
    return ClientSecretCredential(
        tenant,
        client_id,
        secret,
        authority=emulator.url,
        disable_instance_discovery=True,
        connection_verify=str(emulator.ca_file),
    )


def test_client_secret_credential_drives_both_providers_in_strict_mode(strict: EmulatorProcess) -> None:
    ids = identity(strict)
    cred = credential(strict, ids["tenant"], ids["client_id"], ids["secret"])
    group = unique("rg-")
    ResourceManagementClient(cred, ids["subscription"], **client_options(strict)).resource_groups.create_or_update(
        group, {"location": "eastus"}
    )
    health = HealthcareApisManagementClient(cred, ids["subscription"], **client_options(strict))
    workspace = unique("ws")
    health.workspaces.begin_create_or_update(group, workspace, Workspace(location="eastus")).result()
    dicom = health.dicom_services.begin_create_or_update(
        group, workspace, "dcm1", DicomService(location="eastus")
    ).result()
    assert dicom.provisioning_state == "Succeeded"
    # The caller recorded in systemData is the app the token was issued to.
    assert dicom.system_data.created_by == ids["client_id"]
    assert dicom.system_data.created_by_type == "Application"
    assert dicom.authentication_configuration.authority.endswith(ids["tenant"])

    adu = DeviceUpdateMgmtClient(cred, ids["subscription"], **client_options(strict))
    account = adu.accounts.begin_create(group, unique("acct"), Account(location="westus2")).result()
    assert account.provisioning_state == "Succeeded"


def test_issued_tokens_are_rs256_jwts_with_the_claims_clients_read(strict: EmulatorProcess) -> None:
    ids = identity(strict)
    token = credential(strict, ids["tenant"], ids["client_id"], ids["secret"]).get_token(f"{strict.url}/.default")
    with httpx.Client(verify=strict.verify) as http:
        config = http.get(f"{strict.url}/{ids['tenant']}/v2.0/.well-known/openid-configuration").json()
        jwks = http.get(config["jwks_uri"]).json()
    header = jwt.get_unverified_header(token.token)
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims = jwt.decode(token.token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=strict.url)
    assert header["alg"] == "RS256"
    assert claims["iss"] == config["issuer"] == f"{strict.url}/{ids['tenant']}/v2.0"
    assert claims["tid"] == ids["tenant"]
    assert claims["appid"] == ids["client_id"]
    assert claims["ver"] == "2.0"
    assert {"oid", "sub", "iat", "nbf", "exp", "roles"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 3600
    assert config["token_endpoint"] == f"{strict.url}/{ids['tenant']}/oauth2/v2.0/token"
    assert config["authorization_endpoint"] and config["device_authorization_endpoint"]


def test_wrong_secret_and_unknown_client_are_refused_as_entra_does(strict: EmulatorProcess) -> None:
    ids = identity(strict)
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        credential(strict, ids["tenant"], ids["client_id"], "wrong").get_token(f"{strict.url}/.default")
    token_url = f"{strict.url}/{ids['tenant']}/oauth2/v2.0/token"
    with httpx.Client(verify=strict.verify) as http:
        wrong = http.post(
            token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": ids["client_id"],
                "client_secret": "wrong",
                "scope": f"{strict.url}/.default",
            },
        )
        assert wrong.status_code == 401
        assert wrong.json()["error"] == "invalid_client"
        assert wrong.json()["error_codes"] == [7000215]
        unknown = http.post(
            token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": OTHER_APP,
                "client_secret": "other-secret",
                "scope": f"{strict.url}/.default",
            },
        )
        assert (unknown.status_code, unknown.json()["error"]) == (400, "unauthorized_client")
        assert "AADSTS700016" in unknown.json()["error_description"]
        no_tenant = http.post(
            f"{strict.url}/0000dead-0000-4000-8000-00000000beef/oauth2/v2.0/token",
            data={"grant_type": "client_credentials"},
        )
        assert no_tenant.status_code == 400
        assert no_tenant.json()["error_codes"] == [90002]


def test_public_clients_cannot_use_client_credentials(strict: EmulatorProcess) -> None:
    token_url = f"{strict.url}/{OTHER_TENANT}/oauth2/v2.0/token"
    with httpx.Client(verify=strict.verify) as http:
        without = http.post(
            token_url,
            data={"grant_type": "client_credentials", "client_id": PUBLIC_CLIENT, "scope": f"{strict.url}/.default"},
        )
        assert (without.status_code, without.json()["error"], without.json()["error_codes"]) == (
            401,
            "invalid_client",
            [7000218],
        )
        with_secret = http.post(
            token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": PUBLIC_CLIENT,
                "client_secret": "x",
                "scope": f"{strict.url}/.default",
            },
        )
        assert (with_secret.status_code, with_secret.json()["error_codes"]) == (401, [700025])


def test_a_second_tenant_from_the_registrations_file_gets_its_own_tokens(strict: EmulatorProcess) -> None:
    token = credential(strict, OTHER_TENANT, OTHER_APP, "other-secret").get_token(f"{strict.url}/.default")
    assert jwt.decode(token.token, options={"verify_signature": False})["tid"] == OTHER_TENANT
    with httpx.Client(verify=strict.verify, headers={"Authorization": f"Bearer {token.token}"}) as http:
        listed = http.get(f"{strict.url}/subscriptions?api-version=2022-12-01").json()["value"]
    tenants = {s["subscriptionId"]: s["tenantId"] for s in listed}
    assert tenants["7e6d5c4b-3a29-4180-8f7e-6d5c4b3a2918"] == OTHER_TENANT


def test_strict_mode_answers_each_bad_token_with_its_code(strict: EmulatorProcess) -> None:
    ids = identity(strict)
    url = f"{strict.url}/subscriptions/{ids['subscription']}/resourcegroups?api-version=2021-04-01"
    key = (strict.data_dir / "token-signing-key.pem").read_bytes()

    def sign(**claims: object) -> str:
        now = 1_700_000_000
        base = {"aud": f"{strict.url}/", "iat": now, "nbf": now, "exp": now + 3600, "tid": ids["tenant"]}
        return jwt.encode({**base, **claims}, key, algorithm="RS256")

    fresh = int(time.time())
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_key = jwt.encode({"aud": f"{strict.url}/", "exp": fresh + 3600}, forger, algorithm="RS256")
    graph = credential(strict, ids["tenant"], ids["client_id"], ids["secret"]).get_token(
        "https://graph.microsoft.com/.default"
    )
    cases = {
        None: "AuthenticationFailed",
        "Basic abc": "AuthenticationFailed",
        "Bearer not-a-jwt": "InvalidAuthenticationToken",
        f"Bearer {other_key}": "InvalidAuthenticationToken",
        f"Bearer {sign()}": "ExpiredAuthenticationToken",
        f"Bearer {sign(iat=fresh, nbf=fresh + 7200, exp=fresh + 9000)}": "InvalidAuthenticationToken",
        f"Bearer {graph.token}": "InvalidAuthenticationTokenAudience",
        f"Bearer {sign(iat=fresh, nbf=fresh, exp=fresh + 600)}": None,
        f"Bearer {sign(iat=fresh, nbf=fresh, exp=fresh + 600, aud='https://management.azure.com/')}": None,
    }
    with httpx.Client(verify=strict.verify) as http:
        for authorization, code in cases.items():
            headers = {"Authorization": authorization} if authorization else {}
            response = http.get(url, headers=headers)
            if code is None:
                assert response.status_code == 200, (authorization, response.text)
                continue
            assert (response.status_code, response.json()["error"]["code"]) == (401, code), authorization
            challenge = response.headers["www-authenticate"]
            assert challenge.startswith(f'Bearer authorization_uri="{strict.url}/{ids["tenant"]}"')
    expired = httpx.get(url, headers={"Authorization": f"Bearer {sign()}"}, verify=strict.verify)
    assert "is earlier than current UTC time" in expired.json()["error"]["message"]

    # A malformed Host header adds no host of ours, but takes none away (the certificate's names).
    with httpx.Client(verify=strict.verify, headers={"Host": "[oops"}) as odd:
        public = sign(iat=fresh, nbf=fresh, exp=fresh + 600, aud="https://management.azure.com/")
        assert odd.get(url, headers={"Authorization": f"Bearer {public}"}).status_code == 200
        ours = odd.get(url, headers={"Authorization": f"Bearer {sign(iat=fresh, nbf=fresh, exp=fresh + 600)}"})
        assert ours.status_code == 200
        elsewhere = sign(iat=fresh, nbf=fresh, exp=fresh + 600, aud="https://[oops/")
        refused = odd.get(url, headers={"Authorization": f"Bearer {elsewhere}"})
        assert (refused.status_code, refused.json()["error"]["code"]) == (401, "InvalidAuthenticationTokenAudience")


def test_sdk_with_a_token_for_another_audience_gets_401(strict: EmulatorProcess) -> None:
    ids = identity(strict)
    cred = credential(strict, ids["tenant"], ids["client_id"], ids["secret"])
    client = ResourceManagementClient(
        cred,
        ids["subscription"],
        **{**client_options(strict), "credential_scopes": ["https://graph.microsoft.com/.default"]},
    )
    with pytest.raises(HttpResponseError) as raised:
        client.resource_groups.get("anything")
    assert raised.value.status_code == 401
    assert raised.value.error.code == "InvalidAuthenticationTokenAudience"


def test_v1_token_endpoint(strict: EmulatorProcess) -> None:
    ids = identity(strict)
    with httpx.Client(verify=strict.verify) as http:
        answer = http.post(
            f"{strict.url}/{ids['tenant']}/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": ids["client_id"],
                "client_secret": ids["secret"],
                "resource": "https://management.core.windows.net/",
            },
        ).json()
        assert answer["token_type"] == "Bearer" and answer["resource"] == "https://management.core.windows.net/"
        assert int(answer["expires_on"]) - int(answer["not_before"]) == int(answer["expires_in"])
        claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
        assert (claims["ver"], claims["aud"]) == ("1.0", "https://management.core.windows.net/")
        groups = http.get(
            f"{strict.url}/subscriptions/{ids['subscription']}/resourcegroups?api-version=2021-04-01",
            headers={"Authorization": f"Bearer {answer['access_token']}"},
        )
        assert groups.status_code == 200
