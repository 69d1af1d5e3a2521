from shoka.circulation import services


def test_checkout_then_checkin_round_trip(world, at):
    patron = world.patron()
    item = world.item()
    result = services.checkout(item.barcode, patron, branch=world.main, actor=world.staff, at=at)
    assert result.loan.due_on.isoformat() == "2026-06-16"
    back = services.checkin(item.barcode, branch=world.main, actor=world.staff, at=at)
    assert back.routing.route == services.Route.SHELVE
