#!/usr/bin/env python3
"""Writes scenario.json: the tracker golden test's detections, scripted so every event is known.

A and B are people walking towards each other along a corridor; they cross around frame 21 and
B is hidden behind A for frames 19-23. A is partly occluded for frames 30-32 (low scores). C
stands still for frames 1-8, then leaves; a car pulls up in C's place from frame 10 (and is
called a truck in frames 15-16). One false positive at frame 12 and one low-score clutter box
at frame 5 must never become tracks. Boxes carry a small deterministic jitter.
"""
import json
import os

FRAMES = 40


def jitter(frame, salt):
    return ((frame * 7 + salt * 3) % 5) - 2  # -2..2 px


def box(x1, y1, w, h, frame, salt):
    j = jitter(frame, salt)
    return [x1 + j, y1 - j, x1 + w + j, y1 + h]


def detections(f):
    out = []
    a_score = 0.3 if 30 <= f <= 32 else 0.9
    out.append({"truth": "A", "class_id": 0, "score": a_score,
                "box": box(60 + 10 * (f - 1), 200, 50, 150, f, 1)})
    if not 19 <= f <= 23:
        out.append({"truth": "B", "class_id": 0, "score": 0.85,
                    "box": box(460 - 10 * (f - 1), 210, 50, 150, f, 2)})
    if f <= 8:
        out.append({"truth": "C", "class_id": 0, "score": 0.8,
                    "box": box(550, 100, 50, 150, f, 3)})
    if f >= 10:
        out.append({"truth": "car", "class_id": 7 if f in (15, 16) else 2,
                    "score": 0.7 if f in (15, 16) else 0.8,
                    "box": box(540 - 2 * (f - 10), 110, 70, 130, f, 4)})
    if f == 12:
        out.append({"truth": "false_positive", "class_id": 0, "score": 0.9,
                    "box": [300, 50, 330, 80]})
    if f == 5:
        out.append({"truth": "clutter", "class_id": 0, "score": 0.2,
                    "box": [100, 400, 130, 430]})
    return out


def main():
    # One detection per line keeps the file reviewable in a diff.
    lines = []
    for f in range(1, FRAMES + 1):
        dets = ",\n".join("   " + json.dumps(d) for d in detections(f))
        lines.append(' {"frame": %d, "detections": [\n%s]}' % (f, dets))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenario.json")
    with open(path, "w") as out:
        out.write('{"frames": [\n' + ",\n".join(lines) + "\n]}\n")


if __name__ == "__main__":
    main()
