def risky(step):
    if step == 2:
        raise KeyError("step two")
    if step == 3:
        raise IndexError("step three")
    return step * 10


for step in range(1, 5):
    try:
        try:
            print("result", risky(step))
        except KeyError as inner:
            print("inner handler:", inner)
    except IndexError as outer:
        print("outer handler:", outer)
