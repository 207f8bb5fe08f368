moves = []


def hanoi(disks, source, target, spare):
    if disks == 0:
        return
    hanoi(disks - 1, source, spare, target)
    moves.append((source, target))
    hanoi(disks - 1, spare, target, source)


hanoi(3, "A", "C", "B")
print(len(moves), "moves")
for src, dst in moves:
    print(src, "->", dst)
