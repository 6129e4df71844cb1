; Verifier corpus, asm cases in the kernel's own syntax (see corpus.py for the format).

=== acc_xdp_pass
; type: xdp
r0 = 2
exit

=== acc_pkt_eth_proto
; type: xdp
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r0 = 1
r4 = r2
r4 += 14
if r4 > r3 goto pc+4
r0 = *(u16 *)(r2 +12)
if r0 == 0x8 goto pc+1
r0 = 2
r0 = 2
exit

=== acc_pkt_end_first
; type: xdp
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r0 = 1
r4 = r2
r4 += 34
if r3 < r4 goto pc+2
r0 = *(u32 *)(r2 +30)
r0 = 2
exit

=== acc_pkt_jge_form
; type: xdp
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r0 = 1
r4 = r2
r4 += 20
if r4 >= r3 goto pc+2
r0 = *(u8 *)(r2 +20)
r0 = 2
exit

=== acc_hash_counter
; type: xdp
; maps: 0=hash:4:8:64
*(u32 *)(r10 -4) = 7
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+3
r1 = 1
lock *(u64 *)(r0 +0) += r1
goto pc+0
r0 = 2
exit

=== acc_array_lookup_inline
; type: xdp
; maps: 0=array:4:16:8
*(u32 *)(r10 -4) = 3
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+2
r1 = *(u64 *)(r0 +8)
*(u64 *)(r0 +0) = r1
r0 = 2
exit

=== acc_array_odd_value
; type: sched_cls
; maps: 0=array:4:12:4
*(u32 *)(r10 -4) = 1
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+1
r0 = *(u32 *)(r0 +8)
r0 = 0
exit

=== acc_percpu_array
; type: xdp
; maps: 0=percpu_array:4:8:4
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+2
r1 = *(u64 *)(r0 +0)
r0 = 2
exit

=== acc_lru_hash
; type: xdp
; maps: 0=lru_hash:8:16:128
r1 = 0
*(u64 *)(r10 -8) = r1
r2 = r10
r2 += -8
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+1
r1 = *(u64 *)(r0 +8)
r0 = 2
exit

=== acc_map_update
; type: sched_cls
; maps: 0=hash:4:8:16
*(u32 *)(r10 -4) = 1
*(u64 *)(r10 -16) = 5
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r1 = map[fd:0]
r4 = 0
call bpf_map_update_elem#2
r0 = 0
exit

=== acc_map_delete_percpu_hash
; type: xdp
; maps: 0=percpu_hash:4:8:16
*(u32 *)(r10 -4) = 1
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_delete_elem#3
r0 = 2
exit

=== acc_bounded_loop
; type: xdp
r0 = 0
r1 = 0
r0 += r1
r1 += 1
if r1 < 0x10 goto pc-3
r0 = 2
exit

=== acc_loop_sum_pkt
; type: xdp
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 16
r0 = 1
if r4 > r3 goto pc+8
r5 = 0
r6 = 0
r7 = r2
r7 += r6
r8 = *(u8 *)(r7 +0)
r5 += r8
r6 += 1
if r6 < 0x10 goto pc-6
r0 = 2
exit

=== acc_subprog
; type: xdp
r6 = r1
r1 = 5
call pc+2
r0 += -3
exit
r0 = r1
r0 += r1
exit

=== acc_tail_call
; type: xdp
; maps: 0=prog_array:4:4:4
r2 = map[fd:0]
r3 = 1
call bpf_tail_call#12
r0 = 2
exit

=== acc_rodata_fold
; type: xdp
; maps: 0=array:4:8:1:rdonly_prog,frozen,init=0500000000000000
r1 = map[fd:0][0]+0
r1 = *(u32 *)(r1 +0)
r0 = 2
if r1 == 0x5 goto pc+1
r0 = 1
exit

=== acc_bss_value
; type: xdp
; maps: 0=array:4:16:1
r1 = map[fd:0][0]+8
r2 = *(u64 *)(r1 +0)
r2 += 1
*(u64 *)(r1 +0) = r2
r0 = 2
exit

=== acc_div_mod_reg
; type: xdp
r0 = 100
r1 = *(u32 *)(r1 +16)
r0 /= r1
w0 %= w1
r0 = 2
exit

=== acc_skb_narrow
; type: sched_cls
r2 = *(u8 *)(r1 +1)
r3 = *(u16 *)(r1 +8)
r4 = *(u32 *)(r1 +4)
r5 = *(u32 *)(r1 +20)
r0 = 0
exit

=== acc_skb_direct_write
; type: sched_cls
r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
r4 = r2
r4 += 14
if r4 > r3 goto pc+2
r5 = 0
*(u8 *)(r2 +0) = r5
r0 = 0
exit

=== acc_smp_processor_id
; type: xdp
call bpf_get_smp_processor_id#8
if r0 > 0x1 goto pc+1
r0 = 2
exit

=== acc_jiffies
; type: sched_cls
call bpf_jiffies64#118
r0 = 0
exit

=== acc_spill_fill_ctx
; type: xdp
*(u64 *)(r10 -8) = r1
r0 = 0
r1 = *(u64 *)(r10 -8)
r2 = *(u32 *)(r1 +16)
r0 = 2
exit

=== acc_cgroup_skb_ret
; type: cgroup_skb
r0 = *(u32 *)(r1 +0)
r0 &= 1
exit

=== acc_cgroup_skb_egress_ret3
; type: cgroup_skb
; attach: 1
r0 = 3
exit

=== acc_dead_branch
; type: xdp
r0 = 2
if r0 == 0x1 goto pc+2
r1 = 1
goto pc+1
r0 = 1
exit

=== acc_redirect_map
; type: xdp
; maps: 0=devmap:4:4:4
r1 = map[fd:0]
r2 = 0
r3 = 0
call bpf_redirect_map#51
exit

=== acc_adjust_head
; type: xdp
r6 = r1
r2 = -14
call bpf_xdp_adjust_head#44
r0 = 1
r2 = *(u32 *)(r6 +0)
r3 = *(u32 *)(r6 +4)
r4 = r2
r4 += 14
if r4 > r3 goto pc+2
r1 = *(u8 *)(r2 +0)
r0 = 2
exit

=== acc_csum_diff
; type: sched_cls
r1 = 0
*(u64 *)(r10 -8) = r1
r1 = r10
r1 += -8
r2 = 8
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff#28
r0 = 0
exit

=== acc_uninit_stack_read_root
; type: xdp
r2 = *(u64 *)(r10 -16)
r0 = 2
exit

=== acc_var_stack_off
; type: xdp
r1 = *(u32 *)(r1 +16)
r1 &= 8
r2 = r10
r2 += -16
r2 += r1
r3 = 0
*(u64 *)(r2 +0) = r3
r0 = 2
exit

=== acc_jmp32_bounds
; type: xdp
; maps: 0=array:4:64:1
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+5
r1 = *(u32 *)(r0 +0)
if w1 > 0x38 goto pc+3
r0 += r1
r0 = *(u64 *)(r0 +0)
r0 = 2
r0 = 2
exit

=== acc_map_value_var_idx
; type: sched_cls
; maps: 0=array:4:32:1
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+5
r1 = *(u8 *)(r0 +0)
r1 &= 15
r1 <<= 1
r0 += r1
r0 = *(u16 *)(r0 +0)
r0 = 0
exit

=== acc_ktime
; type: xdp
call bpf_ktime_get_ns#5
r0 &= 1
r0 += 1
exit

=== acc_prandom_branches
; type: xdp
call bpf_get_prandom_u32#7
r1 = r0
r0 = 1
if r1 > 0x64 goto pc+2
r0 = 2
if r1 < 0x32 goto pc+1
r0 = 3
exit

=== acc_linked_scalar
; type: xdp
; maps: 0=array:4:8:16
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+6
r6 = r0
call bpf_get_prandom_u32#7
r1 = r0
if r1 > 0x7 goto pc+2
r6 += r0
r0 = *(u8 *)(r6 +0)
r0 = 2
exit

=== acc_socket_filter_len
; type: socket_filter
r0 = *(u32 *)(r1 +0)
exit

=== acc_perf_event_output
; type: xdp
; maps: 0=perf_event_array:4:4:2
r6 = r1
r1 = 0
*(u64 *)(r10 -8) = r1
r4 = r10
r4 += -8
r1 = r6
r2 = map[fd:0]
r3 = 0xffffffff
r5 = 8
call bpf_perf_event_output#25
r0 = 2
exit

=== rej_unknown_opcode
; type: xdp
r0 = 0
raw ff 00 00 00 00 00 00 00
exit

=== rej_callx_unknown
; type: xdp
r0 = 0
raw 8d 00 00 00 00 00 00 00
exit

=== rej_alu_reserved
; type: xdp
r0 = 0
raw 07 00 01 00 01 00 00 00
exit

=== rej_alu_reg_reserved
; type: xdp
r0 = 0
r1 = 1
raw 0f 10 00 00 01 00 00 00
exit

=== rej_call_reserved
; type: xdp
raw 85 01 00 00 05 00 00 00
r0 = 0
exit

=== rej_exit_reserved
; type: xdp
r0 = 0
raw 95 10 00 00 00 00 00 00

=== rej_neg_reserved
; type: xdp
r0 = 0
raw 87 00 00 00 01 00 00 00
exit

=== rej_end_reserved
; type: xdp
r0 = 0
raw d4 00 00 00 08 00 00 00
exit

=== rej_mov_reserved
; type: xdp
raw b7 00 01 00 00 00 00 00
exit

=== rej_ldx_reserved
; type: xdp
raw 61 10 00 00 01 00 00 00
r0 = 0
exit

=== rej_stx_reserved
; type: xdp
r0 = 0
raw 63 0a f8 ff 01 00 00 00
exit

=== rej_st_reserved
; type: xdp
r0 = 0
raw 62 1a f8 ff 00 00 00 00
exit

=== rej_ja_reserved
; type: xdp
r0 = 0
raw 05 00 00 00 01 00 00 00
exit

=== rej_jmp_reserved
; type: xdp
r0 = 0
raw 15 10 00 00 00 00 00 00
exit

=== rej_ld_imm64_bad_second
; type: xdp
raw 18 00 00 00 01 00 00 00
raw 00 01 00 00 00 00 00 00
exit

=== rej_jump_out_of_range
; type: xdp
r0 = 0
goto pc+5
exit

=== rej_jump_backward_out
; type: xdp
goto pc-5
r0 = 0
exit

=== rej_unreachable
; type: xdp
r0 = 0
exit
r0 = 1
exit

=== rej_last_not_exit
; type: xdp
r0 = 0
r0 += 1

=== rej_ldimm64_middle
; type: xdp
goto pc+1
r0 = 0x1122334455667788
exit

=== rej_frame_pointer_ro
; type: xdp
r10 = 0
r0 = 0
exit

=== rej_reg_invalid
; type: xdp
raw b7 0b 00 00 00 00 00 00
r0 = 0
exit

=== rej_unknown_helper
; type: xdp
call 999
r0 = 0
exit

=== rej_div_by_zero
; type: xdp
r0 = 1
r0 /= 0
exit

=== rej_mod32_by_zero
; type: xdp
r0 = 1
w0 %= 0
exit

=== rej_invalid_shift64
; type: xdp
r0 = 1
r0 <<= 64
exit

=== rej_invalid_shift32_neg
; type: xdp
r0 = 1
w0 >>= -4
exit

=== rej_bad_map_fd
; type: xdp
r1 = map[fd:1234]
r0 = 0
exit

=== rej_r0_not_init
; type: xdp
exit

=== rej_r2_not_init
; type: xdp
r0 = r2
exit

=== rej_ctx_modified
; type: xdp
r0 = 0
r1 += 4
r2 = *(u32 *)(r1 +0)
exit

=== rej_ctx_bad_off
; type: xdp
r0 = *(u32 *)(r1 +24)
exit

=== rej_ctx_write_xdp
; type: xdp
r2 = 1
*(u32 *)(r1 +0) = r2
r0 = 2
exit

=== rej_ctx_skb_write_len
; type: sched_cls
r2 = 1
*(u32 *)(r1 +0) = r2
r0 = 0
exit

=== rej_xdp_ctx_u16
; type: xdp
r0 = *(u16 *)(r1 +16)
exit

=== rej_pkt_no_check
; type: xdp
r2 = *(u32 *)(r1 +0)
r0 = *(u8 *)(r2 +0)
exit

=== rej_pkt_oob_after_check
; type: xdp
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r0 = 0
r4 = r2
r4 += 14
if r4 > r3 goto pc+3
r0 = *(u8 *)(r2 +0)
r0 = *(u8 *)(r2 +20)
exit
r0 = 1
exit

=== rej_pkt_wrong_branch
; type: xdp
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r0 = 1
r4 = r2
r4 += 14
if r4 > r3 goto pc+1
exit
r0 = *(u8 *)(r2 +0)
exit

=== rej_pkt_end_deref
; type: xdp
r3 = *(u32 *)(r1 +4)
r0 = *(u8 *)(r3 +0)
exit

=== rej_scalar_deref
; type: xdp
r0 = 0
r1 = *(u64 *)(r0 +0)
exit

=== rej_map_value_or_null
; type: xdp
; maps: 0=hash:4:8:16
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 +0)
r0 = 0
exit

=== rej_map_value_oob
; type: xdp
; maps: 0=hash:4:8:16
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+2
r1 = *(u64 *)(r0 +0)
r0 = *(u64 *)(r0 +8)
r0 = 0
exit

=== rej_map_value_unbounded
; type: xdp
; maps: 0=array:4:8:4
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+3
r1 = *(u32 *)(r0 +0)
r0 += r1
r0 = *(u8 *)(r0 +0)
r0 = 2
exit

=== rej_map_value_unbounded_min
; type: xdp
; maps: 0=array:4:8:4
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+3
r1 = *(u64 *)(r0 +0)
r0 += r1
r0 = *(u8 *)(r0 +0)
r0 = 2
exit

=== rej_map_value_min_negative
; type: xdp
; maps: 0=array:4:8:4
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+4
r1 = *(u8 *)(r0 +0)
r1 -= 10
r0 += r1
r0 = *(u8 *)(r0 +0)
r0 = 2
exit

=== rej_map_value_max_out
; type: xdp
; maps: 0=array:4:8:4
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+3
r1 = *(u8 *)(r0 +0)
r0 += r1
r0 = *(u8 *)(r0 +0)
r0 = 2
exit

=== rej_map_value_big_const
; type: xdp
; maps: 0=array:4:8:4
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
if r0 == 0x0 goto pc+2
r1 = 536870912
r0 += r1
r0 = 2
exit

=== rej_ptr_arith_map_ptr
; type: xdp
; maps: 0=hash:4:8:16
r1 = map[fd:0]
r1 += 8
r0 = 0
exit

=== rej_ptr_arith_pkt_end
; type: xdp
r3 = *(u32 *)(r1 +4)
r3 += 1
r0 = 0
exit

=== rej_ptr_bitwise
; type: xdp
r1 &= 1
r0 = 0
exit

=== rej_ptr_32bit
; type: xdp
w1 += 1
r0 = 0
exit

=== rej_ptr_or_null_arith
; type: xdp
; maps: 0=hash:4:8:16
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
r0 += 1
r0 = 0
exit

=== rej_ptr_add_ptr
; type: xdp
r1 += r10
r0 = 0
exit

=== rej_ptr_mul
; type: xdp
r1 *= 2
r0 = 0
exit

=== rej_scalar_minus_ptr
; type: xdp
r0 = 0
r0 -= r1
exit

=== rej_stack_oob
; type: xdp
r2 = 0
*(u64 *)(r10 -520) = r2
r0 = 0
exit

=== rej_stack_positive
; type: xdp
r2 = 0
*(u64 *)(r10 +0) = r2
r0 = 0
exit

=== rej_stack_read_oob
; type: xdp
r0 = *(u64 *)(r10 -528)
exit

=== rej_stack_misaligned
; type: xdp
r2 = 0
*(u32 *)(r10 -6) = r2
r0 = 0
exit

=== rej_spill_size
; type: xdp
*(u32 *)(r10 -8) = r1
r0 = 0
exit

=== rej_fill_size
; type: xdp
*(u64 *)(r10 -8) = r1
r0 = *(u32 *)(r10 -8)
exit

=== rej_helper_not_allowed
; type: xdp
r1 = 0
call bpf_skb_store_bytes#9
r0 = 0
exit

=== rej_gpl_only
; type: xdp
; license: Proprietary
r1 = 0
r2 = 0
call bpf_trace_printk#6
r0 = 0
exit

=== rej_helper_arg_map_ptr
; type: xdp
r1 = 0
r2 = 0
call bpf_map_lookup_elem#1
r0 = 0
exit

=== rej_helper_arg_key
; type: xdp
; maps: 0=hash:4:8:16
r1 = map[fd:0]
r2 = 0
call bpf_map_lookup_elem#1
r0 = 0
exit

=== rej_helper_key_stack_oob
; type: xdp
; maps: 0=hash:8:8:16
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
r0 = 0
exit

=== rej_helper_r1_not_init
; type: xdp
call bpf_map_lookup_elem#1
r0 = 0
exit

=== rej_tail_call_hash
; type: xdp
; maps: 0=hash:4:4:4
r2 = map[fd:0]
r3 = 0
call bpf_tail_call#12
r0 = 2
exit

=== rej_lookup_prog_array
; type: xdp
; maps: 0=prog_array:4:4:4
*(u32 *)(r10 -4) = 0
r2 = r10
r2 += -4
r1 = map[fd:0]
call bpf_map_lookup_elem#1
r0 = 0
exit

=== rej_cgroup_skb_ret2
; type: cgroup_skb
r0 = 2
exit

=== rej_cgroup_skb_ret_unknown
; type: cgroup_skb
r0 = *(u32 *)(r1 +0)
exit

=== rej_cgroup_skb_ret_ptr
; type: cgroup_skb
r0 = r1
exit

=== rej_infinite_loop
; type: xdp
r0 = 0
goto pc-1
exit

=== rej_infinite_loop_cond
; type: xdp
r0 = 0
r1 = 0
r0 += 1
if r1 == 0x0 goto pc-2
exit

=== rej_too_large
; type: xdp
r0 = 0
r1 = 0
r1 += 1
if r1 < 0x100000 goto pc-2
exit

=== rej_call_stack_too_deep
; type: xdp
r0 = 0
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
r0 = 0
exit

=== rej_combined_stack
; type: xdp
r1 = 0
*(u64 *)(r10 -512) = r1
call pc+2
r0 = 0
exit
r1 = 0
*(u64 *)(r10 -8) = r1
r0 = 0
exit

=== rej_pkt_write_cgroup_skb
; type: cgroup_skb
r2 = *(u32 *)(r1 +76)
r3 = *(u32 *)(r1 +80)
r4 = r2
r4 += 14
r0 = 1
if r4 > r3 goto pc+2
r5 = 0
*(u8 *)(r2 +0) = r5
exit

=== rej_unreleased_ref
; type: sched_cls
r2 = r10
r2 += -16
r3 = 12
r4 = 0
r5 = 0
call bpf_sk_lookup_tcp#84
r0 = 0
exit

=== rej_rdonly_map_write
; type: xdp
; maps: 0=array:4:8:1:rdonly_prog,frozen
r1 = map[fd:0][0]+0
r2 = 1
*(u64 *)(r1 +0) = r2
r0 = 2
exit

=== rej_ldabs_in_xdp
; type: xdp
r6 = r1
r0 = *(u8 *)skb[12]
exit

=== rej_zero_sized_read
; type: sched_cls
r2 = 0
r3 = r10
r3 += -8
r4 = 0
call bpf_skb_load_bytes#26
r0 = 0
exit

=== rej_unbounded_size
; type: sched_cls
r6 = r1
call bpf_get_prandom_u32#7
r4 = r0
r1 = r6
r2 = 0
r3 = r10
r3 += -8
call bpf_skb_load_bytes#26
r0 = 0
exit

=== rej_negative_size
; type: sched_cls
r6 = r1
r4 = *(u64 *)(r10 -8)
r1 = r6
r2 = 0
r3 = r10
r3 += -8
call bpf_skb_load_bytes#26
r0 = 0
exit

=== rej_call_invalid_dest
; type: xdp
call pc+100
r0 = 0
exit

=== rej_misaligned_pkt_strict
; type: xdp
; flags: 1
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 14
r0 = 1
if r4 > r3 goto pc+1
r0 = *(u16 *)(r2 +1)
exit

=== acc_st_into_ctx
; type: sched_cls
*(u32 *)(r1 +8) = 0
r0 = 0
exit

=== rej_atomic_ctx
; type: sched_cls
r2 = 1
lock *(u32 *)(r1 +8) += r2
r0 = 0
exit

=== rej_atomic_bad_op
; type: xdp
r1 = 0
*(u64 *)(r10 -8) = r1
r2 = 1
raw db 2a f8 ff 02 00 00 00
r0 = 0
exit

=== acc_map_ptr_deref
; type: xdp
; maps: 0=hash:4:8:16
r1 = map[fd:0]
r0 = *(u64 *)(r1 +0)
exit

=== rej_different_pointers
; type: xdp
r6 = r1
r2 = r10
r2 += -8
r3 = 0
*(u64 *)(r10 -8) = r3
call bpf_get_prandom_u32#7
if r0 == 0x0 goto pc+1
r2 = r6
r0 = *(u32 *)(r2 +0)
r0 = 2
exit

=== rej_helper_negative_id
; type: xdp
call -1
r0 = 0
exit

=== rej_uninit_r1_ctx_arg
; type: sched_cls
r1 = 0
r2 = 0
call bpf_get_cgroup_classid#17
r0 = 0
exit

=== rej_ret_stack_ptr_subprog
; type: xdp
call pc+2
r0 = 0
exit
r0 = r10
exit

=== rej_pkt_meta_no_check
; type: xdp
r2 = *(u32 *)(r1 +8)
r0 = *(u8 *)(r2 +0)
exit

=== rej_sub_ptr_from_stack_then_read
; type: xdp
r1 = r10
r1 += -600
r0 = *(u64 *)(r1 +0)
exit

=== rej_var_stack_unbounded
; type: xdp
r1 = *(u32 *)(r1 +16)
r2 = r10
r2 += r1
r0 = *(u64 *)(r2 -8)
exit

=== rej_pkt_var_off_no_range
; type: xdp
r2 = *(u32 *)(r1 +0)
r3 = *(u32 *)(r1 +4)
r4 = r2
r4 += 14
r0 = 1
if r4 > r3 goto pc+4
r5 = *(u8 *)(r2 +0)
r2 += r5
r0 = *(u8 *)(r2 +0)
r0 = 2
exit

=== rej_map_key_null
; type: xdp
; maps: 0=hash:4:8:16
r1 = map[fd:0]
r2 = r10
r2 += -4
r3 = 0
call bpf_map_update_elem#2
r0 = 0
exit

=== acc_divmod_forms
; type: xdp
r2 = *(u32 *)(r1 +16)
r3 = *(u32 *)(r1 +12)
r0 = 100
r0 /= r2
r0 %= r3
w0 /= w2
w0 %= w3
r0 s/= r2
r0 s%= r3
w0 s/= w2
w0 s%= w3
r0 /= 7
r0 %= 7
w0 /= 7
w0 %= 7
r0 s/= -3
r0 s%= -3
w0 s/= -1
w0 s%= -1
r0 s/= -1
r0 s%= -1
r0 = 2
exit

=== acc_ldabs_socket
; type: socket_filter
r6 = r1
r0 = *(u8 *)skb[12]
r0 = *(u16 *)skb[12]
r0 = *(u32 *)skb[26]
r7 = 14
r0 = *(u8 *)skb[r7 + 9]
r0 = *(u16 *)skb[r7 + 2]
r0 = *(u32 *)skb[r7 + 12]
exit

=== acc_ldabs_tc
; type: sched_cls
r6 = r1
r7 = *(u32 *)(r1 +0)
r0 = *(u16 *)skb[12]
if r0 != 0x800 goto pc+2
r0 = *(u8 *)skb[23]
r0 += r7
exit

=== acc_subprog_no_r0
; type: xdp
call pc+2
r0 = 2
exit
r1 = 1
exit

=== rej_subprog_no_r0_read
; type: xdp
call pc+1
exit
r1 = 1
exit

=== rej_cb_no_btf
; type: xdp
r1 = 4
raw 18 42 00 00 06 00 00 00
raw 00 00 00 00 00 00 00 00
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 2
exit
r1 = 1
exit

=== rej_ldabs_cgroup_skb
; type: cgroup_skb
r6 = r1
r0 = *(u8 *)skb[12]
r0 = 1
exit
