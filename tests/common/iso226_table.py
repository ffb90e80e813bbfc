"""iso226_table.py -- ISO 226:2003 Table 1 and formula (4.1) in python3's own
arithmetic, for the tests (tests/eq/iso226_ref.py, tests/cli/loudness.sh).

Typed from a second source, not the one src/lib/iso226.c's table was typed
from (data/iso226.md names both): mlochbaum/JSound's loudness.ijs, which
lists L_U and T_f without their signs; the signs are those of the first
source (Jeff Tackett's iso226.m)."""
import math

F = [20, 25, 31.5, 40, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000,
     2500, 3150, 4000, 5000, 6300, 8000, 10000, 12500]
AF = [0.532, 0.506, 0.480, 0.455, 0.432, 0.409, 0.387, 0.367, 0.349, 0.330, 0.315, 0.301, 0.288, 0.276, 0.267,
      0.259, 0.253, 0.250, 0.246, 0.244, 0.243, 0.243, 0.243, 0.242, 0.242, 0.245, 0.254, 0.271, 0.301]
LU_MAG = [31.6, 27.2, 23.0, 19.1, 15.9, 13.0, 10.3, 8.1, 6.2, 4.5, 3.1, 2.0, 1.1, 0.4, 0.0, 0.3, 0.5, 0.0, 2.7,
          4.1, 1.0, 1.7, 2.5, 1.2, 2.1, 7.1, 11.2, 10.7, 3.1]
LU_SIGN = [-1] * 14 + [1, 1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1, -1, -1, -1]
TF_MAG = [78.5, 68.7, 59.5, 51.1, 44.0, 37.5, 31.5, 26.5, 22.1, 17.9, 14.4, 11.4, 8.6, 6.2, 4.4, 3.0, 2.2, 2.4,
          3.5, 1.7, 1.3, 4.2, 6.0, 5.4, 1.5, 6.0, 12.6, 13.9, 12.3]
TF_SIGN = [1] * 20 + [-1, -1, -1, -1, -1, 1, 1, 1, 1]
LU = [s * v for s, v in zip(LU_SIGN, LU_MAG)]
TF = [s * v for s, v in zip(TF_SIGN, TF_MAG)]


def spl(phon, i):
    a = 4.47e-3 * (10 ** (0.025 * phon) - 1.15) + (0.4 * 10 ** ((TF[i] + LU[i]) / 10 - 9)) ** AF[i]
    return 10 / AF[i] * math.log10(a) - LU[i] + 94




def comp(listen, ref, i):
    """the loudness compensation at row i: (L_listen - listen) - (L_ref - ref), limited to +15 dB"""
    return min((spl(listen, i) - listen) - (spl(ref, i) - ref), 15.0)
