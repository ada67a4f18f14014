rule vigie_flame_skywiper
{
    meta:
        description = "Strings characteristic of the Flame (sKyWIper) espionage toolkit: its module file names as wide strings, the names of its Lua modules, and the PDB path of its main module"
        author = "vigie tests"
    strings:
        $w1 = "mssecmgr.ocx" wide nocase
        $w2 = "advnetcfg.ocx" wide nocase
        $w3 = "msglu32.ocx" wide nocase
        $w4 = "nteps32.ocx" wide nocase
        $w5 = "~DEB93D.tmp" wide
        $lua1 = "BEETLEJUICE" ascii
        $lua2 = "MICROBE" ascii
        $lua3 = "GADGET" ascii
        $lua4 = "WEASEL" ascii
        $pdb = "\\mssecmgr\\Release\\mssecmgr.pdb" ascii nocase
    condition:
        uint16(0) == 0x5A4D and 2 of ($w*) and (2 of ($lua*) or $pdb)
}
