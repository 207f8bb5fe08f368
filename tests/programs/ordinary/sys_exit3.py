import sys


def stop(code):
    sys.exit(code)


x = 1
stop(3)
