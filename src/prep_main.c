/* lincls-prep: not written yet */
#include <stdio.h>
int main(void) { fprintf(stderr, "lincls-prep: not implemented yet\n"); return 1; }
