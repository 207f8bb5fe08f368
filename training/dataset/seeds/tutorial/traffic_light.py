order = ["green", "yellow", "red"]
durations = {"green": 3, "yellow": 1, "red": 2}
state = 0
clock = 0
while clock < 10:
    light = order[state]
    print("t=%d %s" % (clock, light))
    clock += durations[light]
    state = (state + 1) % len(order)
