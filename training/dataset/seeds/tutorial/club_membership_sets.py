chess = {101, 102, 105, 108}
music = {102, 103, 105, 110}
both = chess & music
either = chess | music
only_chess = chess - music
one_club = chess ^ music
print(sorted(both))
print(sorted(either))
print(sorted(only_chess), sorted(one_club))
print(len(either), 105 in both)
