events = []


def step(name, fail):
    events.append("start " + name)
    try:
        if fail:
            raise RuntimeError(name)
        events.append("ok " + name)
    except RuntimeError:
        events.append("caught " + name)
    finally:
        events.append("end " + name)


step("one", False)
step("two", True)
for e in events:
    print(e)
