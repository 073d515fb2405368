"""The rule for devices (`queueing.devices.BranchDevice`, such as a kiosk): a device acts for its
own branch only. The services that a device may call check it here, before anything is written."""

from branchsite.infra.audit import Actor, Origin, origin_of

from ..devices import BranchDevice
from ..errors import DeviceOfAnotherBranch


def require_device_of_branch(device: BranchDevice, branch_id: int, *, refusal: str) -> None:
    """Raise `kiosk_wrong_branch` (403) with `refusal` unless `device` acts for `branch_id`."""
    if device.acts_for_branch_id != branch_id:
        raise DeviceOfAnotherBranch(refusal)


def device_actor(device: BranchDevice, actor: Actor | None) -> Origin:
    """Who acted: the device, with the user and client address of `actor` (the request's origin,
    when the interface gave one)."""
    origin = origin_of(actor)
    if origin.device:
        return origin
    return Origin(user=origin.user, device=device.audit_label[:120], address=origin.address)
