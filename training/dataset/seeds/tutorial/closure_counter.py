def make_counter(start=0):
    count = start

    def increment(step=1):
        nonlocal count
        count += step
        return count

    return increment


clicks = make_counter()
clicks()
clicks()
print(clicks(5))
other = make_counter(100)
print(other(), clicks())
