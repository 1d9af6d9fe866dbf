#!/bin/sh
# /init of devcloud's cirros-like guest (built by parts/guest.py): busybox
# sh as PID 1.  Mounts the kernel filesystems, loads the virtio and
# config-drive modules, takes DHCP on the first NIC, reads the config
# drive (label config-2) or else the metadata service, applies the
# hostname, SSH keys and user-data, starts dropbear, then hands over to
# busybox init, whose getty prints "login:" on ttyS0 and tty1.
# Everything lives in RAM: each boot starts afresh.

PATH=/sbin:/bin:/usr/sbin:/usr/bin
export PATH
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin /proc /sys /dev /run /tmp
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
chmod 1777 /tmp
# Nova's console log is the first serial port: write there when it is a console.
GUEST_CONSOLE=/dev/console
case " $(cat /proc/cmdline) " in *" console=ttyS0"*) GUEST_CONSOLE=/dev/ttyS0 ;; esac
export GUEST_CONSOLE
exec >$GUEST_CONSOLE 2>&1 </dev/null

CLOUD=/run/cloud
MD_URL=http://169.254.169.254/openstack/latest
mkdir -p $CLOUD
hostname cirros
ip link set lo up

load_modules() {
    while read -r mod params; do
        insmod /lib/modules/$mod.ko $params 2>/dev/null
    done < /lib/modules/load
}

make_users() {
    printf 'root:x:0:0:root:/root:/bin/sh\ncirros:x:1000:1000:cirros:/home/cirros:/bin/sh\n' > /etc/passwd
    printf 'root:x:0:\ncirros:x:1000:\n' > /etc/group
    printf 'root:*:19000:0:99999:7:::\ncirros:%s:19000:0:99999:7:::\n' \
        "$(mkpasswd -m sha512 gocubsgo)" > /etc/shadow
    chmod 600 /etc/shadow
    echo /bin/sh > /etc/shells
    mkdir -p /root /home/cirros/.ssh
    chown -R 1000:1000 /home/cirros
    chmod 700 /home/cirros/.ssh
}

# The first NIC, by name (eth0 before eth1), or nothing.
first_nic() {
    for n in /sys/class/net/*; do
        n=${n##*/}
        [ "$n" = lo ] || { echo "$n"; return; }
    done
}

start_network() {
    nic=$(first_nic)
    [ -n "$nic" ] || { echo "no network interface found"; return 1; }
    echo "Starting network on $nic..."
    ip link set "$nic" up
    # The hook prints "Lease of ... obtained"; -b: keep trying in the background.
    # Neutron sends the MTU and (to the metadata service) classless static routes.
    udhcpc -i "$nic" -s /etc/udhcpc.script -p /run/udhcpc.pid -t 6 -T 2 -b -O mtu -O staticroutes \
        >/run/udhcpc.log 2>&1
    ip -4 -o addr show dev "$nic" | grep -q inet
}

network_info() {
    echo "=== network info ==="
    ip -4 -o addr show | while read -r _ dev _ addr _; do
        [ "$dev" = lo ] || echo "if-info: $dev,up,$addr"
    done
    ip -4 route show | sed 's/^/route-info: /'
}

# The device labelled config-2 (ISO9660 or vfat), or nothing.
config_drive() { findfs LABEL=config-2 2>/dev/null; }

read_config_drive() {
    dev=$(config_drive)
    [ -n "$dev" ] || return 1
    mkdir -p /mnt/config
    mount -o ro "$dev" /mnt/config 2>/dev/null || return 1
    cp /mnt/config/openstack/latest/meta_data.json $CLOUD/ 2>/dev/null
    cp /mnt/config/openstack/latest/user_data $CLOUD/ 2>/dev/null
    umount /mnt/config
    [ -s $CLOUD/meta_data.json ]
}

read_metadata_service() {
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        if timeout 5 wget -q -O $CLOUD/meta_data.json $MD_URL/meta_data.json 2>/dev/null; then
            timeout 10 wget -q -O $CLOUD/user_data $MD_URL/user_data 2>/dev/null || rm -f $CLOUD/user_data
            return 0
        fi
        sleep 1
    done
    rm -f $CLOUD/meta_data.json
    return 1
}

# JSON, as far as the guest needs it: the document on one line.
json_line() { tr -d '\n\r' < "$1"; }

# JSON string escapes (\n, \/, \", \\) back to text.
unescape() { sed -e 's/\\n/\n/g' -e 's/\\\//\//g' -e 's/\\"/"/g' -e 's/\\\\/\\/g'; }

# The top-level string value of key $2 in JSON file $1: nested objects and
# arrays are emptied first, so a "name" inside "keys" or "meta" is not taken.
json_get() {
    json_line "$1" | sed -e 's/^[^{]*{//' -e 's/}[^}]*$//' \
        -e ':a' -e 's/{[^{}]*}/""/g' -e 's/\[[^][]*\]/""/g' -e 'ta' \
        | sed -n "s/.*\"$2\": *\"\\(\\([^\"\\\\]\\|\\\\.\\)*\\)\".*/\\1/p" | unescape
}

# The values of the "public_keys" object, one key a line.
public_keys() {
    json_line "$1" | sed -n 's/.*"public_keys": *{\([^}]*\)}.*/\1/p' \
        | grep -o ': *"\([^"\\]\|\\.\)*"' | sed -e 's/^: *"//' -e 's/"$//' | unescape | grep -v '^ *$'
}

apply_metadata() {
    md=$CLOUD/meta_data.json
    name=$(json_get $md hostname)
    name=${name%%.*}
    [ -n "$name" ] || name=$(json_get $md name)
    if [ -n "$name" ]; then
        hostname "$name"
        echo "$name" > /etc/hostname
        printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$name" > /etc/hosts
    fi
    keys=/home/cirros/.ssh/authorized_keys
    public_keys $md > $keys
    chown 1000:1000 $keys
    chmod 600 $keys
    echo "instance-id: $(json_get $md uuid)"
    echo "name: $(json_get $md name)"
    echo "public keys: $(grep -c . $keys)"
}

run_user_data() {
    ud=$CLOUD/user_data
    [ "$(head -c 2 $ud 2>/dev/null)" = "#!" ] || return 0
    cp $ud $CLOUD/user-data.run
    chmod 700 $CLOUD/user-data.run
    echo "=== running user-data ==="
    $CLOUD/user-data.run
    echo "=== user-data exited $? ==="
}

start_sshd() {
    mkdir -p /etc/dropbear
    dropbearkey -t ed25519 -f /etc/dropbear/dropbear_ed25519_host_key >/dev/null 2>&1
    dropbear -r /etc/dropbear/dropbear_ed25519_host_key -p 22
    dropbearkey -y -f /etc/dropbear/dropbear_ed25519_host_key | grep '^ssh-' \
        | sed 's/^/ssh host key: /'
}

# Nova's stop and soft reboot press the ACPI power button: power off.
start_acpid() {
    mkdir -p /etc/acpi/PWRF
    printf '#!/bin/sh\npoweroff\n' > /etc/acpi/PWRF/00000080
    chmod 755 /etc/acpi/PWRF/00000080
    acpid -l /run/acpid.log
}

echo "=== devcloud guest (cirros-like, built from Debian packages) ==="
load_modules
start_acpid
make_users
if start_network; then online=1; else online=; fi
network_info
if read_config_drive; then
    ds=configdrive
elif [ -n "$online" ] && read_metadata_service; then
    ds=metadata
else
    ds=none
fi
echo "=== datasource: $ds ==="
[ $ds = none ] || apply_metadata
start_sshd &  # its host key may wait for the kernel's entropy: not the boot
run_user_data
echo "=== system $(hostname) up $(cut -d' ' -f1 /proc/uptime) seconds ==="

cat > /etc/issue <<'EOF'
login as 'cirros' user. default password: 'gocubsgo'. (not cirros: a devcloud guest)
EOF
cat > /etc/inittab <<'EOF'
ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100
tty1::respawn:/sbin/getty 38400 tty1
::ctrlaltdel:/sbin/reboot
EOF
exec /sbin/init
