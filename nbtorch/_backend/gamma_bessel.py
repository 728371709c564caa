"""The gamma family and the modified Bessel functions, for one number: written once here, as
plain Python, and compiled by Numba twice, for the CPU (``cpu_kernels/gamma_bessel.py``) and
as CUDA device functions (``cuda/special.py``).

Each function calls nothing but ``math`` (a function compiled for one device cannot call a
helper compiled for the other), and avoids the few ``math`` calls that raise in Python where
C returns inf or NaN (the CUDA simulator runs this code as Python). Each starts with
``float(x)``: the work is done in float64 also for float32 inputs (their results are rounded
to float32 only at the end). The algorithms are those
of the Cephes Math Library (S. L. Moshier), which PyTorch uses too, so the special values
(poles, infinities) are PyTorch's:

* ``lgamma(x)`` = log |Gamma(x)|: C's ``lgamma``; inf at the poles 0, -1, -2, ...
* ``digamma(x)`` = Gamma'(x) / Gamma(x). The recurrence psi(x) = psi(x + 1) - 1/x moves x
  up to >= 10, where the asymptotic series log x - 1/(2x) - sum_k B_2k / (2k x^2k) (B_2k the
  Bernoulli numbers) is exact to double precision; negative x first goes through the
  reflection psi(x) = psi(1 - x) - pi / tan(pi x).
* ``zeta(x, q)`` = sum_{k >= 0} (k + q)^-x, Hurwitz's zeta function: the first terms are
  added up until k + q > 9, and the Euler-Maclaurin formula adds the rest (an integral plus
  Bernoulli-number corrections).
* ``i0e(x)`` = exp(-|x|) I0(x) and ``i1e(x)`` = exp(-|x|) I1(x), the exponentially scaled
  modified Bessel functions: Chebyshev series, one for |x| <= 8 and one in 1/|x| beyond
  (there sqrt(|x|) i0e(x) tends to 1 / sqrt(2 pi)), summed by Clenshaw's recurrence. The
  unscaled I0 and I1 are exp(|x|) times these.
"""

import math

import numpy as np

# digamma: psi(10), and B_2k / 2k for k = 7, 6, ..., 1 (highest power of 1/x^2 first)
PSI_10 = 2.25175258906672110764
DIGAMMA_SERIES = np.array([
    8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3,
    -4.16666666666666666667e-3, 3.96825396825396825397e-3, -8.33333333333333333333e-3,
    8.33333333333333333333e-2,
])

# zeta: (2k)! / B_2k for k = 1, ..., 12, the Euler-Maclaurin corrections' denominators
ZETA_SERIES = np.array([
    12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
    -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
    1.8152105401943546773e17, -7.1661652561756670113e18,
])
MACHEP = 1.11022302462515654042e-16  # 2^-53: a term below MACHEP * sum changes nothing

# Chebyshev coefficients (highest order first) of exp(-x) I0(x) on [0, 8], and of
# exp(-x) sqrt(x) I0(x) on [8, inf) in the variable 32/x - 2
I0E_NEAR = np.array([
    -4.41534164647933937950e-18, 3.33079451882223809783e-17, -2.43127984654795469359e-16,
    1.71539128555513303061e-15, -1.16853328779934516808e-14, 7.67618549860493561688e-14,
    -4.85644678311192946090e-13, 2.95505266312963983461e-12, -1.72682629144155570723e-11,
    9.67580903537323691224e-11, -5.18979560163526290666e-10, 2.65982372468238665035e-9,
    -1.30002500998624804212e-8, 6.04699502254191894932e-8, -2.67079385394061173391e-7,
    1.11738753912010371815e-6, -4.41673835845875056359e-6, 1.64484480707288970893e-5,
    -5.75419501008210370398e-5, 1.88502885095841655729e-4, -5.76375574538582365885e-4,
    1.63947561694133579842e-3, -4.32430999505057594430e-3, 1.05464603945949983183e-2,
    -2.37374148058994688156e-2, 4.93052842396707084878e-2, -9.49010970480476444210e-2,
    1.71620901522208775349e-1, -3.04682672343198398683e-1, 6.76795274409476084995e-1,
])
I0E_FAR = np.array([
    -7.23318048787475395456e-18, -4.83050448594418207126e-18, 4.46562142029675999901e-17,
    3.46122286769746109310e-17, -2.82762398051658348494e-16, -3.42548561967721913462e-16,
    1.77256013305652638360e-15, 3.81168066935262242075e-15, -9.55484669882830764870e-15,
    -4.15056934728722208663e-14, 1.54008621752140982691e-14, 3.85277838274214270114e-13,
    7.18012445138366623367e-13, -1.79417853150680611778e-12, -1.32158118404477131188e-11,
    -3.14991652796324136454e-11, 1.18891471078464383424e-11, 4.94060238822496958910e-10,
    3.39623202570838634515e-9, 2.26666899049817806459e-8, 2.04891858946906374183e-7,
    2.89137052083475648297e-6, 6.88975834691682398426e-5, 3.36911647825569408990e-3,
    8.04490411014108831608e-1,
])
# ... of exp(-x) I1(x) / x on [0, 8], and of exp(-x) sqrt(x) I1(x) on [8, inf)
I1E_NEAR = np.array([
    2.77791411276104639959e-18, -2.11142121435816608115e-17, 1.55363195773620046921e-16,
    -1.10559694773538630805e-15, 7.60068429473540693410e-15, -5.04218550472791168711e-14,
    3.22379336594557470981e-13, -1.98397439776494371520e-12, 1.17361862988909016308e-11,
    -6.66348972350202774223e-11, 3.62559028155211703701e-10, -1.88724975172282928790e-9,
    9.38153738649577178388e-9, -4.44505912879632808065e-8, 2.00329475355213526229e-7,
    -8.56872026469545474066e-7, 3.47025130813767847674e-6, -1.32731636560394358279e-5,
    4.78156510755005422638e-5, -1.61760815825896745588e-4, 5.12285956168575772895e-4,
    -1.51357245063125314899e-3, 4.15642294431288815669e-3, -1.05640848946261981558e-2,
    2.47264490306265168283e-2, -5.29459812080949914269e-2, 1.02643658689847095384e-1,
    -1.76416518357834055153e-1, 2.52587186443633654823e-1,
])
I1E_FAR = np.array([
    7.51729631084210481353e-18, 4.41434832307170791151e-18, -4.65030536848935832153e-17,
    -3.20952592199342395980e-17, 2.96262899764595013876e-16, 3.30820231092092828324e-16,
    -1.88035477551078244854e-15, -3.81440307243700780478e-15, 1.04202769841288027642e-14,
    4.27244001671195135429e-14, -2.10154184277266431302e-14, -4.08355111109219731823e-13,
    -7.19855177624590851209e-13, 2.03562854414708950722e-12, 1.41258074366137813316e-11,
    3.25260358301548823856e-11, -1.89749581235054123450e-11, -5.58974346219658380687e-10,
    -3.83538038596423702205e-9, -2.63146884688951950684e-8, -2.51223623787020892529e-7,
    -3.88256480887769039346e-6, -1.10588938762623716291e-4, -9.76109749136146840777e-3,
    7.78576235018280120474e-1,
])


def lgamma(x):
    """log |Gamma(x)|, with inf at the poles 0, -1, -2, ... (where Python's ``math.lgamma``
    raises; C's returns inf)."""
    x = float(x)
    if x <= 0 and x % 1 == 0:
        return math.inf
    return math.lgamma(x)


def digamma(x):
    """psi(x) = d/dx log Gamma(x): -inf at +0, +inf at -0, NaN at -1, -2, ... and -inf."""
    x = float(x)
    if x == 0:
        return math.copysign(math.inf, -x)
    result = 0.0
    if x < 0:
        if math.isinf(x) or x % 1 == 0:
            return math.nan
        # Reflection. tan has period pi, so tan(pi x) = tan(pi r) for r = x minus its nearest
        # integer (exact): near a pole pi * r keeps digits that pi * x would round away.
        r = x - math.floor(x + 0.5)
        result = -math.pi / math.tan(math.pi * r)
        x = 1.0 - x
    while x < 10:
        result -= 1.0 / x
        x += 1.0
    if x == 10:
        return result + PSI_10
    series = 0.0
    if x < 1e17:  # beyond, the series is below double precision's reach
        z = 1.0 / (x * x)
        for i in range(len(DIGAMMA_SERIES)):  # Horner's rule in z
            series = series * z + DIGAMMA_SERIES[i]
        series *= z
    return result + math.log(x) - 0.5 / x - series


def zeta(x, q):
    """sum_{k >= 0} (k + q)^-x for x > 1 (inf at x = 1, NaN below). For q <= 0: inf when q
    is a whole number (a term is 1/0), NaN unless x is whole ((k + q)^-x of a negative base)."""
    x, q = float(x), float(q)
    if x == 1:
        return math.inf
    if x < 1:
        return math.nan
    if q <= 0:
        if math.isinf(q) or q % 1 == 0:
            return math.inf
        if not (math.isinf(x) or x % 1 == 0):
            return math.nan
    total = math.pow(q, -x)
    a = q
    term = 0.0
    i = 0
    while i < 9 or a <= 9:  # add terms directly, until k + q > 9 (at least 9 of them)
        i += 1
        a += 1.0
        term = math.pow(a, -x)
        total += term
        if -MACHEP * total < term < MACHEP * total:
            return total
    # Euler-Maclaurin: the rest is a^(1-x) / (x-1) - a^-x / 2 + corrections, each from the
    # previous by two more factors (x + k) / a
    w = a
    total += term * w / (x - 1.0) - 0.5 * term
    factor = 1.0
    k = 0.0
    for j in range(12):
        factor *= x + k
        term /= w
        correction = factor * term / ZETA_SERIES[j]
        total += correction
        if abs(correction / total) < MACHEP:
            return total
        k += 1.0
        factor *= x + k
        term /= w
        k += 1.0
    return total


def i0e(x):
    """exp(-|x|) I0(x), the exponentially scaled modified Bessel function of order 0 (1 at
    0, about 1 / sqrt(2 pi |x|) for large |x|)."""
    x = abs(float(x))
    if x <= 8:
        y, coefficients = x / 2.0 - 2.0, I0E_NEAR
    else:
        y, coefficients = 32.0 / x - 2.0, I0E_FAR
    # Clenshaw's recurrence: sum_i c_i T_i(y / 2) for Chebyshev polynomials T_i
    b0, b1, b2 = coefficients[0], 0.0, 0.0
    for i in range(1, len(coefficients)):
        b2 = b1
        b1 = b0
        b0 = y * b1 - b2 + coefficients[i]
    series = 0.5 * (b0 - b2)
    return series if x <= 8 else series / math.sqrt(x)


def i1e(x):
    """exp(-|x|) I1(x), the exponentially scaled modified Bessel function of order 1 (odd:
    i1e(-x) = -i1e(x))."""
    x = float(x)
    magnitude = abs(x)
    if magnitude <= 8:
        y, coefficients = magnitude / 2.0 - 2.0, I1E_NEAR
    else:
        y, coefficients = 32.0 / magnitude - 2.0, I1E_FAR
    b0, b1, b2 = coefficients[0], 0.0, 0.0
    for i in range(1, len(coefficients)):
        b2 = b1
        b1 = b0
        b0 = y * b1 - b2 + coefficients[i]
    series = 0.5 * (b0 - b2)
    value = series * magnitude if magnitude <= 8 else series / math.sqrt(magnitude)
    return -value if x < 0 else value
