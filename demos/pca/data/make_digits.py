# Writes digits.json from scikit-learn's copy of the UCI handwritten digits (1797 images, 8x8 pixels of
# 0..16). Run once: `python3 make_digits.py` (needs scikit-learn); the demo reads only digits.json.
# Pixels are stored as one letter each ('a' = 0 ... 'q' = 16), row-major per image, images in order.
import json

from sklearn.datasets import load_digits

d = load_digits()
pixels = ''.join(chr(ord('a') + int(v)) for v in d.data.astype(int).ravel())
labels = ''.join(str(int(t)) for t in d.target)
out = {
    'source': 'scikit-learn load_digits (a copy of the test set of the UCI Optical Recognition of '
    'Handwritten Digits data); see LICENSE-digits.txt',
    'count': int(d.data.shape[0]),
    'side': 8,
    'maxValue': 16,
    'labels': labels,
    'pixels': pixels,
}
with open('digits.json', 'w') as f:
    json.dump(out, f, separators=(',', ':'))
    f.write('\n')
