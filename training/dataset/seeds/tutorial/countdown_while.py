count = 5
while count > 0:
    print("T minus", count)
    count -= 1
print("liftoff!")
