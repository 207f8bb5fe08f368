first = input()
second = input()
