readings = [12, -4, 7, 0, -9, 3]
clipped = [r if r > 0 else 0 for r in readings]
labels = ["pos" if r > 0 else "neg" if r < 0 else "zero" for r in readings]
print(clipped)
print(labels)
