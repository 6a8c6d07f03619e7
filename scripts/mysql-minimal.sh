#!/usr/bin/env bash
# The 5.7-shaped MySQL test server on 127.0.0.1:13309: MySQL 9.x binaries with GTID off and
# binlog_row_metadata=MINIMAL (see scripts/mysql.sh).
#
#   bash scripts/mysql-minimal.sh start|stop|status
SLUICE_MYSQL_SHAPE=minimal exec bash "$(dirname "${BASH_SOURCE[0]}")/mysql.sh" "$@"
