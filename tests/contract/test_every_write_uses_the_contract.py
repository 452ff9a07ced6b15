"""Every public function of an app's actions module is an action under the contract
(osseo/contract.py), or is named here as a pure helper that writes nothing."""

import importlib
import inspect
import pkgutil

import osseo

# Public functions in actions modules that read or compute but never write.
NOT_WRITES = {
    "osseo.accounts.actions.user_for_token",  # reads a token; its last-used stamp is best-effort
    "osseo.surgery.actions.assessment_flags",
    "osseo.surgery.actions.stage_window",
    "osseo.surgery.actions.sign_problems",
    "osseo.surgery.actions.device_values",
    "osseo.connectors.actions.clean_policy",
}


def _actions_modules():
    for info in pkgutil.iter_modules(osseo.__path__):
        try:
            yield importlib.import_module(f"osseo.{info.name}.actions")
        except ModuleNotFoundError:
            continue


def test_every_public_action_goes_through_the_contract():
    outside = []
    for module in _actions_modules():
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            qualified = f"{module.__name__}.{name}"
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            if qualified in NOT_WRITES:
                continue
            if not getattr(fn, "__osseo_action__", False):
                outside.append(qualified)
    assert outside == []
