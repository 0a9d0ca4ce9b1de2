#include "cli.h"
int kp_cmd_compare(int argc, char **argv)
{
        return 2;
}
