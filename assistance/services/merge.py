"""What a client merge does to assistance: issuances and overpayments follow the person, and the
ledger's balances move by one balanced transfer (entries are append-only)."""

from __future__ import annotations

from accounts.models import User
from assistance.models import Issuance, Overpayment
from assistance.services.ledger import ledger_transfer_client
from clients.models import Client
from clients.services import merge_hooks_register, merge_move


def _on_client_merge(*, acting_user: User, survivor: Client, duplicate: Client) -> dict[str, list[int]]:
    moved = {
        "issuance": merge_move(Issuance, survivor=survivor, duplicate=duplicate),
        "overpayment": merge_move(Overpayment, survivor=survivor, duplicate=duplicate),
    }
    transfer = ledger_transfer_client(
        from_client_id=duplicate.pk,
        to_client_id=survivor.pk,
        posted_by=acting_user,
        memo=f"Client {duplicate.pk} merged into client {survivor.pk}",
    )
    if transfer is not None:
        moved["ledgertransaction"] = [transfer.pk]
    return moved


def register_merge_hook() -> None:
    merge_hooks_register(_on_client_merge)
