def countdown(start):
    print("starting")
    while start > 0:
        yield start
        start -= 1
    print("finished")


gen = countdown(3)
print(next(gen))
print(next(gen))
print(list(gen))
