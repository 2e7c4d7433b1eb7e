#!/usr/bin/perl
# Writes operator-countries.mmdb, the "operator's own" country database of the access-log tests,
# with MaxMind's writer (Debian: libmaxmind-db-writer-perl). Run from this folder:
#   perl make-operator-db.pl
# Records in the shape of GeoLite2-Country (`country.iso_code`), for addresses of the
# documentation ranges (RFC 5737, RFC 3849) and one public range, to show the operator's
# database wins over the shipped one.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => 6,
    record_size           => 24,
    database_type         => 'pypistats-test-Country',
    languages             => ['en'],
    description           => { en => 'pypistats access-log tests: operator country database' },
    map_key_type_callback => sub { { country => 'map', iso_code => 'utf8_string' }->{ $_[0] } },
    # The documentation ranges are reserved: MaxMind's writer leaves them out unless told to.
    remove_reserved_networks => 0,
);
$tree->insert_network('192.0.2.0/24', { country => { iso_code => 'FR' } });
$tree->insert_network('2001:db8::/32', { country => { iso_code => 'JP' } });
$tree->insert_network('8.8.8.0/24', { country => { iso_code => 'CA' } });
open my $fh, '>:raw', 'operator-countries.mmdb' or die $!;
$tree->write_tree($fh);
close $fh;
