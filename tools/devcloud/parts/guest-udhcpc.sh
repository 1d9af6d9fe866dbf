#!/bin/sh
# busybox udhcpc's hook in devcloud's guest (see guest-init.sh): applies a
# lease (address, MTU, classless static routes or else the router, DNS)
# and prints cirros's console line "Lease of ADDRESS obtained, lease time N".

action=$1
case "$action" in
deconfig)
    ip -4 addr flush dev "$interface"
    ip link set "$interface" up
    ;;
bound|renew)
    if ! ip -4 -o addr show dev "$interface" | grep -q " $ip/$mask "; then
        ip -4 addr flush dev "$interface"
        ip addr add "$ip/$mask" ${broadcast:+broadcast "$broadcast"} dev "$interface"
    fi
    [ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
    if [ -n "$staticroutes" ]; then
        # RFC 3442: with classless routes the router option is ignored.
        set -- $staticroutes
        while [ $# -ge 2 ]; do
            if [ "$2" = 0.0.0.0 ]; then
                ip route replace "$1" dev "$interface"
            else
                ip route replace "$1" via "$2" dev "$interface"
            fi
            shift 2
        done
    elif [ -n "$router" ]; then
        for r in $router; do
            ip route replace default via "$r" dev "$interface" && break
        done
    fi
    : > /etc/resolv.conf
    [ -n "$domain" ] && echo "search $domain" >> /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
    [ "$action" = bound ] && echo "Lease of $ip obtained, lease time $lease" > "${GUEST_CONSOLE:-/dev/console}"
    ;;
esac
exit 0
