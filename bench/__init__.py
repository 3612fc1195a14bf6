"""Benchmarks of tailgate against the websocketd + ``tail -F`` baseline.

``python -m bench`` starts each server on loopback, drives it with writers that
append to log files and viewers that hold WebSockets open, and prints the figures
beside the targets. Nothing here asserts behaviour: the tests do that.
"""
