#include "CShims.h"
#include "../CNcursesw/shim.h"

int ps_lines(void) { return LINES; }
int ps_cols(void) { return COLS; }
