from itertools import combinations, permutations
import math

team = ["ana", "ben", "cal", "dia"]
pairs = list(combinations(team, 2))
print(len(pairs), pairs[:3])
orders = list(permutations("abc"))
print(len(orders), ["".join(o) for o in orders])
print(math.comb(10, 3), math.perm(5, 2))
