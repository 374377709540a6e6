"""Reviewers: the queue, decisions and what a reviewer compares."""
