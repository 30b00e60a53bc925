"""The fake Entra directory's answers the engine asks of it (identity.directory)."""

from __future__ import annotations

from arm_emulator.identity.directory import Directory, Tenant, new_client_secret

SUB_A = "00000000-0000-4000-8000-00000000000a"
SUB_B = "00000000-0000-4000-8000-00000000000B"


def test_a_subscription_belongs_to_the_first_tenant_listing_it_in_any_casing_else_the_default() -> None:
    directory = Directory(
        [
            Tenant("tenant-default", "Default", subscriptions=(SUB_A,)),
            Tenant("tenant-b", "B", subscriptions=(SUB_B, SUB_A.upper())),
            Tenant("tenant-c", "C", subscriptions=(SUB_B.lower(),)),
        ]
    )
    assert directory.tenant_of_subscription(SUB_A) == "tenant-default"
    assert directory.tenant_of_subscription(SUB_A.upper()) == "tenant-default"
    assert directory.tenant_of_subscription(SUB_B.lower()) == "tenant-b"
    assert directory.tenant_of_subscription("11111111-1111-4111-8111-111111111111") == "tenant-default"


def test_a_new_client_secret_never_starts_with_a_dash_which_az_would_read_as_an_option() -> None:
    # One draw in 64 started with `-` before: 5,000 draws miss that with odds of 1 in 10^34.
    drawn = [new_client_secret() for _ in range(5000)]
    assert not [secret for secret in drawn if secret.startswith("-")]
    assert all(len(secret) == 40 for secret in drawn)
    assert any("-" in secret for secret in drawn)  # the alphabet is still Entra's, dashes included
