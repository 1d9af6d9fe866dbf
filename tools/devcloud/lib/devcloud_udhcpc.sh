#!/bin/sh
# udhcpc's script for the devcloud's light servers (lib/devcloud_netns.dhcp):
# sets what a DHCP lease gives (address, MTU, routes: the classless static
# routes when there are any, as RFC 3442 says, else the router), as a guest would.
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/$mask" dev "$interface"
    [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
    if [ -n "$staticroutes" ]; then
      set -- $staticroutes
      while [ $# -ge 2 ]; do
        ip route replace "$1" via "$2" dev "$interface"
        shift 2
      done
    else
      for r in $router; do ip route replace default via "$r" dev "$interface"; break; done
    fi
    echo "lease of $ip/$mask on $interface" ;;
esac
exit 0
