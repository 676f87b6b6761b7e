"""Rules of the job logic (kling_mcp/jobs) that protect the user's credits and files, each held by a test that a
mutant of it survived before (mutmut, see tests/quality/mutation.py). The mutant each test kills is in its docstring.
"""
