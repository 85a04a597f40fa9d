#ifndef PONDER_COPENBLAS_SHIM_H
#define PONDER_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
