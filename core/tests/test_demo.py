"""The demo loaders' registry: each app's loader runs in its order, whatever the start-up order."""

from core import demo


def test_the_loaders_run_lowest_order_first_and_a_second_registration_replaces_the_first(monkeypatch):
    monkeypatch.setattr(demo, "_loaders", {})
    demo.demo_loader_register(name="payments", order=40, load=print)
    demo.demo_loader_register(name="offices", order=20, load=print, logins=("  admin",))
    demo.demo_loader_register(name="payments", order=5, load=repr)

    assert [(loader.name, loader.order, loader.load) for loader in demo.demo_loaders()] == [
        ("payments", 5, repr),
        ("offices", 20, print),
    ]


def test_every_app_with_demo_data_is_registered_in_the_order_the_data_builds_on():
    assert [loader.name for loader in demo.demo_loaders()] == [
        "eligibility",
        "casework",
        "referrals",
        "assistance",
        "coverage",
        "employment",
        "community",
    ]
