package vecmath

// AddRows adds rows of src to dst in the order idx gives them: for each j in
// turn, dst[i] += src[int(idx[j])*n+i] for i < n. Each dst[i] is the sum, in
// that order, that the plain loop makes, so the bits are the same; the AVX2
// kernel keeps 16 (then 4) of the sums in registers over all the rows.
func AddRows(dst, src []float64, idx []int32, n int) {
	if n <= 0 || len(idx) == 0 {
		return
	}
	_ = dst[n-1]
	for _, p := range idx {
		if p < 0 || (int(p)+1)*n > len(src) {
			panic("vecmath: AddRows: row index out of range")
		}
	}
	i := 0
	if hasAVX2 {
		for ; i+16 <= n; i += 16 {
			addRows16AVX2(&dst[i], &src[i], &idx[0], len(idx), n)
		}
		for ; i+4 <= n; i += 4 {
			addRows4AVX2(&dst[i], &src[i], &idx[0], len(idx), n)
		}
	}
	addRowsGo(dst[i:n], src[i:], idx, n)
}

// addRowsGo is AddRows over the columns dst covers: dst[i] += src[p*n+i].
func addRowsGo(dst, src []float64, idx []int32, n int) {
	for i := range dst {
		s := dst[i]
		for _, p := range idx {
			s += src[int(p)*n+i]
		}
		dst[i] = s
	}
}
